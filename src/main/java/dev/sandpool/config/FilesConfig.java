package dev.sandpool.config;

import java.util.Objects;

/** Limits on session files: the largest single upload (Azure documents 128 MB) and each session's quota. */
public record FilesConfig(DataSize maxUploadSize, DataSize sessionQuota) {
    public static final DataSize DEFAULT_MAX_UPLOAD = DataSize.parse("128M");
    public static final DataSize DEFAULT_QUOTA = DataSize.parse("1Gi");

    public FilesConfig {
        maxUploadSize = Objects.requireNonNullElse(maxUploadSize, DEFAULT_MAX_UPLOAD);
        sessionQuota = Objects.requireNonNullElse(sessionQuota, DEFAULT_QUOTA);
    }

    public static FilesConfig defaults() {
        return new FilesConfig(null, null);
    }

    void validate(Validation v) {
        if (maxUploadSize.bytes() < 1) {
            v.fail("files.maxUploadSize", "must be at least 1 byte (got " + maxUploadSize + ")");
        }
        if (sessionQuota.bytes() < 1) {
            v.fail("files.sessionQuota", "must be at least 1 byte (got " + sessionQuota + ")");
        }
    }
}
