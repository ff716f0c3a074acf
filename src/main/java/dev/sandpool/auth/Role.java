package dev.sandpool.auth;

/** What a caller may do: {@code executor} uses sessions (Azure's Session Executor); {@code admin} also manages. */
public enum Role {
    EXECUTOR, ADMIN;

    public boolean allows(Role needed) {
        return this == ADMIN || needed == EXECUTOR;
    }
}
