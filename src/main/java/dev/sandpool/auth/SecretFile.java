package dev.sandpool.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** A random secret kept in a root-only file of the data directory: generated once, reused after. */
public final class SecretFile {
    private SecretFile() {}

    public record Loaded(String value, boolean generated, Path file) {}

    public static Loaded loadOrCreate(Path dataDir, String fileName, String prefix) throws IOException {
        Path file = dataDir.resolve(fileName);
        if (Files.exists(file)) {
            String value = Files.readString(file).strip();
            if (!value.isEmpty()) {
                return new Loaded(value, false, file);
            }
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String value = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createDirectories(dataDir);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, value + "\n");
        return new Loaded(value, true, file);
    }
}
