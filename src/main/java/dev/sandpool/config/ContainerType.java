package dev.sandpool.config;

import java.util.Arrays;
import java.util.Optional;

/** Azure's container types. Only the ones the server can run are accepted by {@link ConfigValidator}. */
public enum ContainerType {
    PythonLTS, NodeLTS, Shell, CustomContainer;

    /** Azure's enums are matched case-insensitively everywhere on its wire. */
    public static Optional<ContainerType> parse(String text) {
        return Arrays.stream(values()).filter(t -> t.name().equalsIgnoreCase(text)).findFirst();
    }
}
