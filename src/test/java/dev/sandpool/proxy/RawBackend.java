package dev.sandpool.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A backend on a plain server socket, for exact control of what goes on the wire (chunk
 * boundaries, pauses, early closes). Its HTTP parsing is written separately from the proxy's, so a
 * shared misreading cannot hide a bug.
 */
final class RawBackend implements AutoCloseable {
    @FunctionalInterface
    interface Handler {
        void handle(Exchange exchange) throws Exception;
    }

    /** One accepted connection. */
    record Exchange(Socket socket, InputStream in, OutputStream out, LinkedBlockingQueue<Request> seen) {
        /** Reads a request head and records it for the test. */
        Request readRequest() throws IOException {
            Request request = Request.read(in);
            seen.add(request);
            return request;
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    record Request(String method, String target, List<String[]> headers) {
        static Request read(InputStream in) throws IOException {
            String requestLine = line(in);
            if (requestLine == null) {
                throw new EOFException("no request");
            }
            String[] parts = requestLine.split(" ");
            List<String[]> headers = new ArrayList<>();
            for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).trim()});
            }
            return new Request(parts[0], parts[1], headers);
        }

        List<String> all(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
        }

        String header(String name) {
            List<String> all = all(name);
            return all.isEmpty() ? null : String.join(", ", all);
        }

        List<String> names() {
            return headers.stream().map(h -> h[0].toLowerCase(Locale.ROOT)).toList();
        }

        /** The body, by Content-Length or by the test's own chunked decoder. */
        byte[] body(InputStream in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if ("chunked".equalsIgnoreCase(header("Transfer-Encoding"))) {
                while (true) {
                    String size = line(in);
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        while (!line(in).isEmpty()) {
                            // trailers
                        }
                        return body.toByteArray();
                    }
                    body.write(in.readNBytes(n));
                    line(in);
                }
            }
            String length = header("Content-Length");
            if (length != null) {
                body.write(in.readNBytes(Integer.parseInt(length)));
            }
            return body.toByteArray();
        }
    }

    private final ServerSocket server;
    final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();

    private RawBackend(ServerSocket server, Handler handler) {
        this.server = server;
        Thread.ofVirtual().name("raw-backend-accept").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread.ofVirtual().name("raw-backend").start(() -> {
                        try (socket) {
                            handler.handle(new Exchange(socket, new BufferedInputStream(socket.getInputStream()),
                                    socket.getOutputStream(), requests));
                        } catch (Exception e) {
                            // the test decides what the outcome means
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    static RawBackend start(Handler handler) throws IOException {
        return new RawBackend(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), handler);
    }

    int port() {
        return server.getLocalPort();
    }

    LoopbackDialer dialer() {
        return new LoopbackDialer(port());
    }

    /** The next request the backend read (waits for it). */
    Request nextRequest() throws InterruptedException {
        Request request = requests.poll(10, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("the backend received no request");
        }
        return request;
    }

    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
