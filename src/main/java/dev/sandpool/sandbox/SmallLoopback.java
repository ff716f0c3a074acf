package dev.sandpool.sandbox;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * Gives a sandbox's loopback device the packet size of an Ethernet (MTU 1500, GSO 4 KiB) instead of
 * 64 KiB, over rtnetlink, before the sandbox's first process runs.
 *
 * <p>Past a group's TCP buffer limit ({@link ResourceLimits#tcpBufferBytes}) the kernel still lets
 * each connection hold one packet on each side, and on cgroup v1 nothing counts that. With 64 KiB
 * packets it came to about 65 KB per connection pair: a 128Mi session held 650 MiB through 9,500
 * pairs. With these sizes it is about 4 KB, less than the counted memory each pair's sockets cost.
 * Traffic over a sandbox's own loopback (a custom container's server, as the pool endpoint reaches
 * it) pays in more, smaller packets.
 */
final class SmallLoopback {
    static final int MTU = 1500;
    static final int GSO_MAX_SIZE = 4096;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_ROUTE = 0;
    private static final short RTM_NEWLINK = 16;
    private static final short NLMSG_ERROR = 2;
    private static final short NLM_F_REQUEST_ACK = 0x1 | 0x4;
    private static final short IFLA_MTU = 4;
    private static final short IFLA_GSO_MAX_SIZE = 41;
    /** A new network namespace's first device. */
    private static final int LOOPBACK_INDEX = 1;
    private static final MethodHandle SOCKET = LibC.libc("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SEND = LibC.libc("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = LibC.libc("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private SmallLoopback() {}

    /** Sets the sizes in the network namespace of process {@code initPid}. */
    static void apply(NamespaceDialer dialer, long initPid) throws IOException {
        int fd = dialer.inside(initPid, TIMEOUT, () -> (int) LibC.checked("socket(AF_NETLINK)",
                (arena, errno) -> (int) SOCKET.invokeExact(errno, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)));
        try {
            byte[] request = request();
            LibC.checked("send(RTM_NEWLINK)", (arena, errno) -> (long) SEND.invokeExact(errno, fd,
                    arena.allocateFrom(JAVA_BYTE, request), (long) request.length, 0));
            byte[] answer = new byte[512];
            int length = (int) LibC.checked("recv(netlink)", (arena, errno) -> {
                MemorySegment into = arena.allocate(answer.length);
                long n = (long) RECV.invokeExact(errno, fd, into, (long) answer.length, 0);
                MemorySegment.copy(into, JAVA_BYTE, 0, answer, 0, (int) Math.max(0, n));
                return n;
            });
            // the acknowledgement: an NLMSG_ERROR header whose error (after the 16-byte header) is 0, or minus errno
            ByteBuffer ack = ByteBuffer.wrap(answer, 0, length).order(ByteOrder.nativeOrder());
            if (length < 20 || ack.getShort(4) != NLMSG_ERROR || ack.getInt(16) != 0) {
                throw new IOException("setting the sandbox's loopback sizes failed: "
                        + (length < 20 ? "no acknowledgement" : "errno " + -ack.getInt(16)));
            }
        } finally {
            LibC.closeFd(fd);
        }
    }

    /** nlmsghdr, ifinfomsg for the loopback device, and its two attributes. */
    static byte[] request() {
        ByteBuffer b = ByteBuffer.allocate(16 + 16 + 8 + 8).order(ByteOrder.nativeOrder());
        b.putInt(b.capacity()).putShort(RTM_NEWLINK).putShort(NLM_F_REQUEST_ACK).putInt(1).putInt(0);
        b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(LOOPBACK_INDEX).putInt(0).putInt(0);
        b.putShort((short) 8).putShort(IFLA_MTU).putInt(MTU);
        b.putShort((short) 8).putShort(IFLA_GSO_MAX_SIZE).putInt(GSO_MAX_SIZE);
        return b.array();
    }
}
