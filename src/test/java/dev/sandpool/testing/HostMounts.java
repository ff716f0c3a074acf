package dev.sandpool.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What of a test's data directory the host still holds: mounts below it, loop devices backed by its files. */
public final class HostMounts {
    private HostMounts() {}

    public static long mountsBelow(Path dir) {
        return dev.sandpool.sandbox.Mounts.mountsBelow(dir).size();
    }

    public static long loopDevicesBackedBelow(Path dir) {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        try (var devices = Files.list(Path.of("/sys/block"))) {
            return devices.map(device -> device.resolve("loop/backing_file")).filter(Files::isRegularFile)
                    .filter(file -> {
                        try {
                            return Files.readString(file).strip().startsWith(prefix);
                        } catch (IOException e) {
                            return false; // the device was released meanwhile
                        }
                    }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
