package dev.sandpool.server;

import io.helidon.http.Status;

/** An error answered in Azure's shape: HTTP status, {@code x-ms-error-code} and the JSON body. */
public class ApiException extends RuntimeException {
    private final Status status;
    private final String code;

    public ApiException(Status status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public Status status() {
        return status;
    }

    public String code() {
        return code;
    }
}
