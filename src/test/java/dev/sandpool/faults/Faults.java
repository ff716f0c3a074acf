package dev.sandpool.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.testing.AzureClient;

/** What every fault answer must look like: the status, Azure's error shape, and a message that says what happened. */
final class Faults {
    private Faults() {}

    static void assertError(AzureClient.Response r, int status, String code, String messagePart) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("x-ms-error-code")).isEqualTo(code);
        assertThat(r.json().path("error").path("code").asString()).isEqualTo(code);
        assertThat(r.json().path("error").path("message").asString()).contains(messagePart);
    }
}
