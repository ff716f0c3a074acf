package dev.sandpool.proxy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * A minimal RFC 6455 echo server for {@link RawBackend}: answers the handshake (choosing the
 * subprotocol {@code chat} when offered), echoes text and binary frames, answers pings, and returns
 * a close frame before closing. Only a real WebSocket peer can tell whether the proxy passed bytes
 * through untouched.
 */
final class WebSocketEchoBackend {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WebSocketEchoBackend() {}

    static void handle(RawBackend.Exchange x) throws Exception {
        RawBackend.Request request = x.readRequest();
        String key = request.header("Sec-WebSocket-Key");
        String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        String protocol = request.header("Sec-WebSocket-Protocol");
        x.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n"
                + (protocol != null && protocol.contains("chat") ? "Sec-WebSocket-Protocol: chat\r\n" : "")
                + "X-Backend: echo\r\n\r\n");
        DataInputStream in = new DataInputStream(x.in());
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            int opcode = first & 0x0F;
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] mask = (second & 0x80) != 0 ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) length);
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
            }
            switch (opcode) {
                case 0x8 -> {
                    frame(x.out(), 0x8, payload, true);
                    return;
                }
                case 0x9 -> frame(x.out(), 0xA, payload, true);
                case 0xA -> { }
                default -> frame(x.out(), opcode, payload, (first & 0x80) != 0); // text, binary, continuation
            }
        }
    }

    private static void frame(OutputStream out, int opcode, byte[] payload, boolean fin) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(payload.length);
        } else if (payload.length < 65536) {
            frame.write(126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(127);
            for (int i = 7; i >= 0; i--) {
                frame.write((int) ((long) payload.length >>> (8 * i)) & 0xFF);
            }
        }
        frame.write(payload);
        out.write(frame.toByteArray());
        out.flush();
    }
}
