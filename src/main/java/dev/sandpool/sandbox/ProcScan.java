package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

/** Finds host processes by their real uid, reading /proc. */
final class ProcScan {
    private ProcScan() {}

    static List<Long> processesOwnedBy(IntPredicate uidMatches) {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                int uid = liveProcessUid(entry.resolve("status"));
                if (uid >= 0 && uidMatches.test(uid)) {
                    found.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    /** The real uid of a process that is not a zombie, else -1. */
    private static int liveProcessUid(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("State:") && line.contains("Z (zombie)")) {
                    return -1;
                }
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended while we looked
        }
        return -1;
    }
}
