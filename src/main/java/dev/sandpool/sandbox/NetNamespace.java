package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Runs an action inside another network namespace: a socket keeps the namespace it was made in,
 * so a socket opened here serves that namespace from then on. The action runs on a fresh platform
 * thread that joins the namespace and then ends, so no thread of the server stays in it.
 */
public final class NetNamespace {
    private static final int CLONE_NEWNET = 0x40000000;

    private NetNamespace() {}

    public static <T> T inside(Path netns, Callable<T> action) throws IOException {
        Object[] outcome = new Object[1];
        Thread thread = Thread.ofPlatform().name("netns-opener").start(() -> {
            try {
                int fd = LibC.openReadOnly(netns);
                try {
                    LibC.setns(fd, CLONE_NEWNET);
                } finally {
                    LibC.closeFd(fd);
                }
                outcome[0] = action.call();
            } catch (Exception e) {
                outcome[0] = e;
            }
        });
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while entering " + netns);
        }
        if (outcome[0] instanceof IOException e) {
            throw e;
        }
        if (outcome[0] instanceof Exception e) {
            throw new IOException("in network namespace " + netns + ": " + e, e);
        }
        @SuppressWarnings("unchecked")
        T result = (T) outcome[0];
        return result;
    }
}
