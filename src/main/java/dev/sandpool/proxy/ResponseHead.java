package dev.sandpool.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A backend's status line and header fields, read with bounds so that a hostile container cannot exhaust memory. */
record ResponseHead(int status, String reason, List<Field> fields) {
    static final int MAX_LINE = 16 * 1024;
    static final int MAX_FIELDS = 256;

    record Field(String name, String value) {
        boolean is(String lowerName) {
            return name.toLowerCase(Locale.ROOT).equals(lowerName);
        }
    }

    /** A response the backend sent that cannot be read as HTTP/1.1: the proxy answers 502. */
    static final class MalformedResponseException extends IOException {
        MalformedResponseException(String message) {
            super(message);
        }
    }

    List<String> values(String lowerName) {
        List<String> values = new ArrayList<>();
        for (Field field : fields) {
            if (field.is(lowerName)) {
                values.add(field.value());
            }
        }
        return values;
    }

    /** Reads one head; {@link EOFException} when the backend closed before a complete one. */
    static ResponseHead read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new EOFException("the backend closed the connection before sending a status line");
        }
        // HTTP-version SP status-code SP [reason-phrase]
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' '
                || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
            throw new MalformedResponseException("the backend sent an invalid status line");
        }
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new MalformedResponseException("the backend sent an invalid status code");
        }
        if (status < 100 || status > 999) {
            throw new MalformedResponseException("the backend sent an invalid status code");
        }
        String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
        List<Field> fields = new ArrayList<>();
        while (true) {
            String line = line(in);
            if (line == null) {
                throw new EOFException("the backend closed the connection in the middle of its response head");
            }
            if (line.isEmpty()) {
                return new ResponseHead(status, reason, List.copyOf(fields));
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                // obsolete line folding (RFC 9112 §5.2): replace with a space
                if (fields.isEmpty()) {
                    throw new MalformedResponseException("the backend sent a folded first header line");
                }
                Field last = fields.removeLast();
                fields.add(new Field(last.name(), last.value() + " " + line.strip()));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedResponseException("the backend sent an invalid header line");
            }
            String name = line.substring(0, colon);
            try {
                HeaderText.requireToken(name);
            } catch (IllegalArgumentException e) {
                throw new MalformedResponseException("the backend sent an invalid header name");
            }
            if (fields.size() == MAX_FIELDS) {
                throw new MalformedResponseException("the backend sent more than " + MAX_FIELDS + " header fields");
            }
            String value = line.substring(colon + 1).strip();
            if (value.indexOf('\r') >= 0 || value.indexOf(0) >= 0) {
                // a lone CR passed on would let the backend split the client's response
                throw new MalformedResponseException("the backend sent a control character in a header value");
            }
            fields.add(new Field(name, value));
        }
    }

    /** One line without its CRLF (a bare LF is accepted), or null at a clean end of stream. */
    static String line(InputStream in) throws IOException {
        byte[] buffer = new byte[128];
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (length == 0) {
                    return null;
                }
                throw new EOFException("the backend closed the connection in the middle of a line");
            }
            if (b == '\n') {
                if (length > 0 && buffer[length - 1] == '\r') {
                    length--;
                }
                return new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (length == MAX_LINE) {
                throw new MalformedResponseException("the backend sent a line longer than " + MAX_LINE + " bytes");
            }
            if (length == buffer.length) {
                buffer = java.util.Arrays.copyOf(buffer, Math.min(MAX_LINE + 1, buffer.length * 2));
            }
            buffer[length++] = (byte) b;
        }
    }
}
