package dev.sandpool.image;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to pull one image.
 *
 * @param credentials           sent only to the registry they name
 * @param timeout               the whole pull (download, unpack, waiting for a concurrent pull of the
 *                              same image); past it the tools are killed and the pull fails
 * @param allowInsecureRegistry plain HTTP and unverified TLS for a registry that is not on loopback
 *                              (loopback registries get that without asking)
 */
public record PullOptions(Optional<RegistryCredentials> credentials, Duration timeout, boolean allowInsecureRegistry) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    public PullOptions {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("pull timeout must be positive");
        }
    }

    public static PullOptions defaults() {
        return new PullOptions(Optional.empty(), DEFAULT_TIMEOUT, false);
    }

    public PullOptions withCredentials(RegistryCredentials value) {
        return new PullOptions(Optional.of(value), timeout, allowInsecureRegistry);
    }

    public PullOptions withTimeout(Duration value) {
        return new PullOptions(credentials, value, allowInsecureRegistry);
    }

    public PullOptions withInsecureRegistry(boolean value) {
        return new PullOptions(credentials, timeout, value);
    }
}
