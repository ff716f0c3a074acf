package dev.sandpool.sandbox;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The few parts of a DNS message (RFC 1035) the egress gate needs: the name a query asks about,
 * the addresses an answer gives, and a refusal. Input comes from sandboxed code, so every read is
 * bounds-checked and anything malformed is simply "no name" or "no addresses".
 */
final class DnsMessage {
    private static final int HEADER = 12;
    private static final int TYPE_A = 1;
    private static final int TYPE_AAAA = 28;
    private static final int RCODE_NXDOMAIN = 3;

    private DnsMessage() {}

    /** The single question's name, lower case without the final dot, if the message is a well-formed query. */
    static Optional<String> questionName(byte[] message, int length) {
        try {
            ByteBuffer in = ByteBuffer.wrap(message, 0, length);
            boolean isQuery = (in.get(2) & 0x80) == 0;
            if (!isQuery || Short.toUnsignedInt(in.getShort(4)) != 1) {
                return Optional.empty();
            }
            in.position(HEADER);
            return Optional.of(readName(in).toLowerCase(Locale.ROOT));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Every A and AAAA address in the answer section of a response. */
    static List<InetAddress> answerAddresses(byte[] message, int length) {
        List<InetAddress> addresses = new ArrayList<>();
        try {
            ByteBuffer in = ByteBuffer.wrap(message, 0, length);
            int questions = Short.toUnsignedInt(in.getShort(4));
            int answers = Short.toUnsignedInt(in.getShort(6));
            in.position(HEADER);
            for (int i = 0; i < questions; i++) {
                readName(in);
                in.position(in.position() + 4);
            }
            for (int i = 0; i < answers; i++) {
                readName(in);
                int type = Short.toUnsignedInt(in.getShort());
                in.position(in.position() + 6); // class, ttl
                byte[] data = new byte[Short.toUnsignedInt(in.getShort())];
                in.get(data);
                if ((type == TYPE_A && data.length == 4) || (type == TYPE_AAAA && data.length == 16)) {
                    addresses.add(InetAddress.getByAddress(data));
                }
            }
        } catch (RuntimeException | UnknownHostException e) {
            // what was read before the damage still counts: those addresses were really answered
        }
        return addresses;
    }

    /** An NXDOMAIN answer to {@code query}: its id and question echoed, no records. */
    static byte[] nameError(byte[] query, int length) {
        ByteBuffer in = ByteBuffer.wrap(query, 0, length);
        in.position(HEADER);
        readName(in);
        int questionEnd = in.position() + 4;
        byte[] answer = new byte[questionEnd];
        System.arraycopy(query, 0, answer, 0, questionEnd);
        answer[2] = (byte) (0x80 | (query[2] & 0x79)); // response, opcode and RD echoed
        answer[3] = (byte) (0x80 | RCODE_NXDOMAIN);      // recursion available
        answer[6] = answer[7] = answer[8] = answer[9] = answer[10] = answer[11] = 0;
        return answer;
    }

    /** A name at the buffer's position, following compression pointers; the position ends after it. */
    private static String readName(ByteBuffer in) {
        StringBuilder name = new StringBuilder();
        int end = -1;
        int jumps = 0;
        while (true) {
            int length = Byte.toUnsignedInt(in.get());
            if (length == 0) {
                break;
            }
            if ((length & 0xc0) == 0xc0) {
                int target = ((length & 0x3f) << 8) | Byte.toUnsignedInt(in.get());
                if (end < 0) {
                    end = in.position();
                }
                if (++jumps > 32) {
                    throw new BufferUnderflowException(); // a pointer loop
                }
                in.position(target);
                continue;
            }
            if (length > 63) {
                throw new BufferUnderflowException();
            }
            byte[] label = new byte[length];
            in.get(label);
            name.append(name.isEmpty() ? "" : ".").append(new String(label, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        if (end >= 0) {
            in.position(end);
        }
        return name.toString();
    }
}
