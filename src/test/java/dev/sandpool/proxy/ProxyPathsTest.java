package dev.sandpool.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The backend's request target: the path after the endpoint, the query minus Sandpool's own parameters. */
class ProxyPathsTest {

    @Test
    void ownParametersAreRemovedAndTheRestKeptByteForByteInOrder() {
        assertThat(ProxyPaths.forwardedTarget("/api/items",
                "b=2&identifier=user%2F1&a=%41+b&api-version=2025-02-02-preview&z=&flag"))
                .isEqualTo("/api/items?b=2&a=%41+b&z=&flag");
    }

    @Test
    void noQueryLeftMeansNoQuestionMark() {
        assertThat(ProxyPaths.forwardedTarget("/x", "identifier=abc&api-version=2024-02-02-preview")).isEqualTo("/x");
        assertThat(ProxyPaths.forwardedTarget("/x", "")).isEqualTo("/x");
        assertThat(ProxyPaths.forwardedTarget("/x", null)).isEqualTo("/x");
    }

    @Test
    void theEndpointItselfIsTheRoot() {
        assertThat(ProxyPaths.forwardedTarget("", "identifier=abc")).isEqualTo("/");
        assertThat(ProxyPaths.forwardedTarget(null, "q=1")).isEqualTo("/?q=1");
        assertThat(ProxyPaths.forwardedTarget("relative/path", null)).isEqualTo("/relative/path");
    }

    @Test
    void thePathStaysAsSentEncodingAndSlashesIncluded() {
        assertThat(ProxyPaths.forwardedTarget("/a%20b//c%2Fd/", "identifier=x"))
                .isEqualTo("/a%20b//c%2Fd/");
    }

    @Test
    void namesAreComparedDecodedAndEveryOccurrenceGoes() {
        assertThat(ProxyPaths.forwardedTarget("/", "api%2Dversion=1&identifier=a&keep=1&identifier=b"))
                .isEqualTo("/?keep=1");
        // only exact names: these belong to the container
        assertThat(ProxyPaths.forwardedTarget("/", "Identifier=a&identifiers=b&my-identifier=c&identifier"))
                .isEqualTo("/?Identifier=a&identifiers=b&my-identifier=c");
    }

    @Test
    void aStrayPercentIsKept() {
        assertThat(ProxyPaths.forwardedTarget("/", "100%=yes&identifier=x")).isEqualTo("/?100%=yes");
    }

    @Test
    void emptySegmentsAreKeptAsSent() {
        assertThat(ProxyPaths.forwardedTarget("/", "a=1&&b=2&identifier=x")).isEqualTo("/?a=1&&b=2");
    }

    @Test
    void nonAsciiIsPercentEncodedAsUtf8() {
        assertThat(ProxyPaths.forwardedTarget("/caf\u00e9", "q=\u20ac")).isEqualTo("/caf%C3%A9?q=%E2%82%AC");
    }

    @Test
    void whatWouldBreakTheRequestLineIsRefused() {
        assertThatThrownBy(() -> ProxyPaths.forwardedTarget("/a b", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProxyPaths.forwardedTarget("/a", "x=1\r\nHost: evil"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
