package dev.sandpool.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A user name and password for one registry server ({@code host[:port]}).
 *
 * <p>The password never leaves this object except into skopeo's auth file (mode 0600, deleted after
 * the pull): {@link #toString()} hides it, and the store scrubs it from tool output before that output
 * becomes an exception message. It is never put on a command line, where {@code ps} would show it.
 */
public record RegistryCredentials(String server, String username, String password) {

    public RegistryCredentials {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        server = ImageRef.normalizeRegistry(server);
        if (username.isEmpty() || username.contains(":") || username.chars().anyMatch(Character::isISOControl)) {
            // basic auth joins user:password with the first ':'
            throw new IllegalArgumentException("registry username must be non-empty, without ':' or control characters");
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("registry password for " + server + " is empty");
        }
    }

    /** The password is the file's content, less one trailing newline (how {@code echo > file} writes it). */
    public static RegistryCredentials fromFile(String server, String username, Path passwordFile) throws IOException {
        String value = Files.readString(passwordFile, StandardCharsets.UTF_8);
        if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - 1);
            if (value.endsWith("\r")) {
                value = value.substring(0, value.length() - 1);
            }
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException("registry password file " + passwordFile + " is empty");
        }
        return new RegistryCredentials(server, username, value);
    }

    /** The password is the value of the environment variable {@code variable}. */
    public static RegistryCredentials fromEnv(String server, String username, String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("environment variable " + variable
                    + " (registry password for " + server + ") is not set");
        }
        return new RegistryCredentials(server, username, value);
    }

    /** Whether skopeo will send these to {@code ref}'s registry (it matches the auth file by host:port). */
    public boolean appliesTo(ImageRef ref) {
        return ref.registry().map(server::equalsIgnoreCase).orElse(false);
    }

    /** The containers-auth.json content for skopeo's {@code --authfile}. */
    String authFileJson() {
        // server is a validated host[:port] and the value is base64: nothing here needs JSON escaping
        return "{\"auths\":{\"" + server + "\":{\"auth\":\"" + basicToken() + "\"}}}";
    }

    private String basicToken() {
        return Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Removes every form of the secret a tool could echo back (plain, user:password, base64). */
    String scrub(String text) {
        String out = text;
        for (String secret : List.of(basicToken(), username + ":" + password, password)) {
            out = out.replace(secret, "***");
        }
        return out;
    }

    @Override
    public String toString() {
        return "RegistryCredentials[server=" + server + ", username=" + username + ", password=***]";
    }
}
