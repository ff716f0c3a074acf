package dev.sandpool.cli;

import java.io.FileNotFoundException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/** A one-part {@code multipart/form-data} body (part {@code file}) streamed from a local file. */
final class Multipart {
    final String boundary = "sandpool-" + UUID.randomUUID();

    String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    HttpRequest.BodyPublisher body(Path file, String remoteName) {
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; " + filename(remoteName) + "\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        try {
            // The file is streamed, not read into memory: uploads may be up to the server's limit (128 MB).
            return HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8),
                    HttpRequest.BodyPublishers.ofFile(file), HttpRequest.BodyPublishers.ofString(tail));
        } catch (FileNotFoundException e) {
            throw new CliException("LocalFileError", "cannot read " + file, CliException.FAILED);
        }
    }

    /**
     * A plain quoted {@code filename} when it is safe ASCII; otherwise RFC 5987's {@code filename*},
     * which carries any character (the server reads both).
     */
    static String filename(String name) {
        boolean plain = name.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%');
        return plain ? "filename=\"" + name + "\"" : "filename*=UTF-8''" + Urls.encode(name);
    }
}
