package dev.sandpool.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reading and writing cgroupfs control files, shared by both drivers. */
final class CgroupFiles {
    private CgroupFiles() {}

    static void write(Path file, String value) throws IOException {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            // the kernel's refusal (EINVAL, EBUSY, ENOENT...) is the reason; say which setting it refused
            String reason = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
            throw new IOException("cgroup " + file.getParent().getFileName() + " refused " + file.getFileName()
                    + " = " + value + ": " + reason, e);
        }
    }

    /** A setting that not every kernel has: where the file is missing, nothing is written. */
    static void writeIfPresent(Path file, String value) throws IOException {
        if (Files.exists(file)) {
            write(file, value);
        }
    }

    static List<Long> pids(Path procsFile) {
        try {
            List<Long> pids = new ArrayList<>();
            for (String line : Files.readAllLines(procsFile)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.strip()));
                }
            }
            return pids;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Value of {@code key} in a flat-keyed file such as memory.events or memory.oom_control. */
    static long keyed(Path file, String key) {
        try {
            return valueOf(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.US_ASCII), key);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Value of {@code key} in the text of a flat-keyed file (no line list, no regex: it is read often). */
    static long valueOf(String text, String key) {
        for (int start = 0; start < text.length(); ) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end;
            int space = text.indexOf(' ', start);
            if (space > start && space < end && text.regionMatches(start, key, 0, key.length())
                    && space - start == key.length()) {
                return Long.parseLong(text.substring(space + 1, end).strip());
            }
            start = end + 1;
        }
        return 0;
    }

    static List<String> childGroups(Path parent) {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(parent)) {
            return children.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills every pid listed until the group is empty; cgroupfs lists a process until it is reaped. */
    static void killAll(Path procsFile) {
        for (int attempt = 0; attempt < 200; attempt++) {
            List<Long> pids = pids(procsFile);
            if (pids.isEmpty()) {
                return;
            }
            pids.forEach(pid -> LibC.kill(pid, LibC.SIGKILL));
            sleep(attempt < 20 ? 1 : 10);
        }
    }

    /** rmdir on a cgroup fails with EBUSY while the kernel still tears down its last task. */
    static void removeDir(Path dir) {
        for (int attempt = 0; attempt < 200 && Files.exists(dir); attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                sleep(attempt < 20 ? 1 : 10);
            }
        }
        if (Files.exists(dir)) {
            throw new IllegalStateException("cannot remove cgroup " + dir);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
