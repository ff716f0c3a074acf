package dev.sandpool.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A client on a plain socket, for requests the JDK client will not send (hop-by-hop fields, Expect by hand, broken framing). */
public final class RawClient implements AutoCloseable {
    public final Socket socket;
    public final InputStream in;
    public final OutputStream out;

    public record Response(int status, List<String[]> headers, byte[] body) {
        public List<String> all(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
        }

        public String header(String name) {
            List<String> all = all(name);
            return all.isEmpty() ? null : String.join(", ", all);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public RawClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A status line and headers only (an interim 100, say). */
    public Response readHead() throws IOException {
        String statusLine = RawBackend.line(in);
        if (statusLine == null) {
            throw new java.io.EOFException("connection closed");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        List<String[]> headers = new ArrayList<>();
        for (String line = RawBackend.line(in); line != null && !line.isEmpty(); line = RawBackend.line(in)) {
            int colon = line.indexOf(':');
            headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).trim()});
        }
        return new Response(status, headers, new byte[0]);
    }

    /** A whole response: by Content-Length, chunked, or nothing. */
    public Response readResponse() throws IOException {
        Response head = readHead();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
            while (true) {
                int n = Integer.parseInt(line().split(";")[0].trim(), 16);
                if (n == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(bytes(n));
                line();
            }
        } else if (head.header("Content-Length") != null) {
            body.write(bytes(Integer.parseInt(head.header("Content-Length"))));
        }
        return new Response(head.status(), head.headers(), body.toByteArray());
    }

    private String line() throws IOException {
        String line = RawBackend.line(in);
        if (line == null) {
            throw new java.io.EOFException("connection closed in the middle of a response");
        }
        return line;
    }

    private byte[] bytes(int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new java.io.EOFException("connection closed in the middle of a body");
        }
        return bytes;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
