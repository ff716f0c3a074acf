package dev.sandpool.auth;

import dev.sandpool.config.ApiKeyConfig;
import dev.sandpool.config.AuthConfig;
import dev.sandpool.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The server's authentication as configured: who is accepted, the generated key when no key is
 * configured, and the token the managed-identity endpoint hands out.
 */
public record AuthSetup(Authenticator authenticator, Optional<ApiKeyFile.Loaded> generatedKey,
                        Optional<String> identityToken) {

    public static AuthSetup of(AuthConfig config, Path dataDir) throws IOException {
        return switch (config.mode()) {
            case NONE -> new AuthSetup(Authenticator.NONE, Optional.empty(), Optional.of("no-auth"));
            case JWT -> new AuthSetup(new JwtAuthenticator(config.jwt()), Optional.empty(), Optional.empty());
            case API_KEY -> apiKeys(config, dataDir);
        };
    }

    private static AuthSetup apiKeys(AuthConfig config, Path dataDir) throws IOException {
        if (config.apiKeys().isEmpty()) {
            ApiKeyFile.Loaded generated = ApiKeyFile.loadOrCreate(dataDir);
            return new AuthSetup(new ApiKeys(List.of(new ApiKeys.Key("default", Role.ADMIN, generated.key()))),
                    Optional.of(generated), Optional.of(generated.key()));
        }
        List<ApiKeys.Key> keys = new ArrayList<>();
        for (ApiKeyConfig key : config.apiKeys()) {
            keys.add(new ApiKeys.Key(key.name(), Role.valueOf(key.role().toUpperCase(Locale.ROOT)), secret(key)));
        }
        // the identity endpoint should hand out the least power that works: an executor key if there is one
        Optional<String> token = keys.stream().filter(k -> k.role() == Role.EXECUTOR).findFirst()
                .or(() -> keys.stream().findFirst()).map(ApiKeys.Key::secret);
        return new AuthSetup(new ApiKeys(keys), Optional.empty(), token);
    }

    private static String secret(ApiKeyConfig key) throws IOException {
        String value = key.key() != null ? key.key()
                : key.keyFile() != null ? Files.readString(key.keyFile()).strip()
                : System.getenv(key.keyEnv());
        if (value == null || value.length() < 16) {
            throw new ConfigException("auth.apiKeys '" + key.name() + "': the key is missing or shorter than 16 characters");
        }
        return value;
    }
}
