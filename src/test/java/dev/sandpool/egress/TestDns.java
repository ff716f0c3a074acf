package dev.sandpool.egress;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * A DNS server for tests, answering A queries for a few names (NXDOMAIN otherwise) on UDP port 53
 * of an address in a network namespace the test made. Its socket is opened by a platform thread
 * that joined that namespace, and stays there.
 */
final class TestDns implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;

    TestDns(Path netns, String address, Map<String, String> names) throws IOException {
        socket = dev.sandpool.sandbox.NetNamespace.inside(netns,
                () -> new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 53)));
        thread = Thread.ofPlatform().daemon().name("test-dns").start(() -> serve(names));
    }

    private void serve(Map<String, String> names) {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                socket.receive(query);
                byte[] answer = answer(ByteBuffer.wrap(query.getData(), 0, query.getLength()), names);
                socket.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // closed, or a malformed query: go on with the next
            }
        }
    }

    private static byte[] answer(ByteBuffer query, Map<String, String> names) throws IOException {
        short id = query.getShort(0);
        int position = 12;
        StringBuilder name = new StringBuilder();
        int length;
        while ((length = query.get(position) & 0xff) != 0) {
            name.append(name.isEmpty() ? "" : ".").append(new String(query.array(), position + 1, length));
            position += length + 1;
        }
        int questionEnd = position + 5;
        int type = query.getShort(position + 1);
        String found = type == 1 ? names.get(name.toString().toLowerCase(java.util.Locale.ROOT)) : null;
        ByteBuffer out = ByteBuffer.allocate(512);
        out.putShort(id).putShort((short) (found != null ? 0x8180 : 0x8183)).putShort((short) 1)
                .putShort((short) (found != null ? 1 : 0)).putShort((short) 0).putShort((short) 0);
        out.put(query.array(), 12, questionEnd - 12);
        if (found != null) {
            out.putShort((short) 0xc00c).putShort((short) 1).putShort((short) 1).putInt(60).putShort((short) 4)
                    .put(InetAddress.getByName(found).getAddress());
        }
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
