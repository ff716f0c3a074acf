package dev.sandpool.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem in a config so that the user sees all of them at once. */
final class Validation {
    private final List<String> problems = new ArrayList<>();

    void fail(String key, String message) {
        problems.add(key + ": " + message);
    }

    java.util.List<String> problems() {
        return java.util.List.copyOf(problems);
    }

    void throwIfFailed() {
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("\n", problems));
        }
    }
}
