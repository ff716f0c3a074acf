package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What the server holds of a settled sandbox's volume, which is mounted in the sandbox's own mount
 * namespace only: its /mnt/data and /run/sandpool, as paths through descriptors.
 */
final class SettledVolume implements AutoCloseable {
    private final List<HeldDirectory> holds;
    private final Path data;
    private final Path run;

    private SettledVolume(List<HeldDirectory> holds, Path data, Path run) {
        this.holds = holds;
        this.data = data;
        this.run = run;
    }

    /**
     * The volume the server mounted above the host directories {@code data} and {@code run}: one
     * descriptor, on its root, which session code cannot see, so neither name below it can change.
     */
    static SettledVolume mountedAbove(Path data, Path run) throws IOException {
        HeldDirectory volume = HeldDirectory.open(data.getParent());
        return new SettledVolume(List.of(volume), volume.path().resolve(data.getFileName()),
                volume.path().resolve(run.getFileName()));
    }

    /**
     * The volume of a running sandbox found from inside, through its init's root (a sandbox an
     * earlier server started, whose host path may be gone). Session code owns that root and may
     * have rearranged it, so no symlink is followed, and /mnt/data must be an ext4 volume.
     */
    static SettledVolume foundInside(long initPid, long initStartTicks) throws IOException {
        HeldDirectory data = null;
        HeldDirectory run = null;
        try (HeldDirectory inside = HeldDirectory.rootOf(initPid)) {
            data = inside.below("mnt", "data");
            run = inside.below("run", "sandpool");
            // the pid was checked before: it must still be the sandbox's once its root is open
            if (data.filesystemType() != LibC.EXT4_SUPER_MAGIC || ProcScan.startTicks(initPid) != initStartTicks) {
                throw new IOException("the /mnt/data of the sandbox of init " + initPid + " is not its volume");
            }
            return new SettledVolume(List.of(data, run), data.path(), run.path());
        } catch (IOException | RuntimeException e) {
            for (HeldDirectory found : new HeldDirectory[] {data, run}) {
                if (found != null) {
                    found.close();
                }
            }
            throw e;
        }
    }

    /** /mnt/data, valid until closed. */
    Path data() {
        return data;
    }

    /** /run/sandpool, valid until closed. */
    Path run() {
        return run;
    }

    @Override
    public void close() {
        holds.forEach(HeldDirectory::close);
    }
}
