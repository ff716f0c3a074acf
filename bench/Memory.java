import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Proportional set size (PSS): each shared page counted once across the processes sharing it. */
final class Memory {
    private Memory() {}

    /** The PSS of every process running as a uid in [uidBase, uidBase + uidCount): the sandboxes, in KiB. */
    static long sandboxesKiB(int uidBase, int uidCount) throws IOException {
        long total = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    int uid = (Integer) Files.getAttribute(proc, "unix:uid");
                    if (uid >= uidBase && uid < uidBase + uidCount) {
                        total += pssKiB(proc);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return total;
    }

    /** This JVM's PSS (the server, and the benchmark's clients with it), in KiB. */
    static long selfKiB() throws IOException {
        return pssKiB(Path.of("/proc/self"));
    }

    private static long pssKiB(Path proc) throws IOException {
        for (String line : Files.readAllLines(proc.resolve("smaps_rollup"))) {
            if (line.startsWith("Pss:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }
}
