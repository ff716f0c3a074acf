package dev.sandpool.auth;

import java.io.IOException;
import java.nio.file.Path;

/** The server's API key, generated into the data directory on first start and reused after. */
public final class ApiKeyFile {
    static final String FILE_NAME = "api-key";

    private ApiKeyFile() {}

    public record Loaded(String key, boolean generated, Path file) {}

    public static Loaded loadOrCreate(Path dataDir) throws IOException {
        SecretFile.Loaded secret = SecretFile.loadOrCreate(dataDir, FILE_NAME, "sp_");
        return new Loaded(secret.value(), secret.generated(), secret.file());
    }
}
