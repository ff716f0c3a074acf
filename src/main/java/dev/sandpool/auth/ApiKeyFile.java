package dev.sandpool.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** The server's API key, generated into the data directory on first start and reused after. */
public final class ApiKeyFile {
    static final String FILE_NAME = "api-key";

    private ApiKeyFile() {}

    public record Loaded(String key, boolean generated, Path file) {}

    public static Loaded loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            String key = Files.readString(file).strip();
            if (!key.isEmpty()) {
                return new Loaded(key, false, file);
            }
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String key = "sp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createDirectories(dataDir);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, key + "\n");
        return new Loaded(key, true, file);
    }
}
