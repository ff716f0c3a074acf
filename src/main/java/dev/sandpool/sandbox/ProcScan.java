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

    /** Field 22 of /proc/PID/stat, the start time in clock ticks since boot; -1 when the process is gone. */
    static long startTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name (field 2) may hold spaces and parentheses: count from the last ')'
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (rest[0].equals("Z")) {
                return -1;
            }
            return Long.parseLong(rest[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
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
