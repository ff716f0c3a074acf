package dev.sandpool.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the request log may say about a request's path and query. */
class RequestTargetTest {

    @Test
    void aPoolPathNamesThePoolTheRouteAndTheQueryParameters() {
        var canonical = RequestTarget.of("/pools/default/code/execute", "identifier=abc-1&api-version=2024-02-02-preview");
        assertThat(RequestTarget.of("/pools/default/code/execute", "api-version=2024-02-02-preview&identifier=abc-1"))
                .isEqualTo(canonical);
        assertThat(canonical.pool()).isEqualTo("default");
        assertThat(canonical.route()).isEqualTo("/pools/{pool}/code/execute");
        assertThat(canonical.identifier()).isEqualTo("abc-1");
        assertThat(canonical.apiVersion()).isEqualTo("2024-02-02-preview");
    }

    @Test
    void filePathsAndExecutionIdsBecomePlaceholders() {
        assertThat(RequestTarget.of("/pools/p1/files/content/private/report.csv", null).route())
                .isEqualTo("/pools/{pool}/files/content/{path}");
        assertThat(RequestTarget.of("/pools/p1/files/a/b.txt/content", null).route())
                .isEqualTo("/pools/{pool}/files/{path}/content");
        assertThat(RequestTarget.of("/pools/p1/executions/0b6f3a", null).route()).isEqualTo("/pools/{pool}/executions/{id}");
        assertThat(RequestTarget.of("/pools/p1/.management/stopSession", null).route())
                .isEqualTo("/pools/{pool}/.management/stopSession");
        assertThat(RequestTarget.of("/pools/p1/python/downloadFile", "filename=x.txt").route())
                .isEqualTo("/pools/{pool}/python/downloadFile");
    }

    @Test
    void identifiersAreDecodedAsTheServerDecodesThem() {
        assertThat(RequestTarget.of("/pools/p1/session", "identifier=a+b%2Fc").identifier()).isEqualTo("a b/c");
        assertThat(RequestTarget.of("/pools/p1/session", "identifier=100%").identifier()).isEqualTo("100%");
        assertThat(RequestTarget.of("/pools/p1/session", "identifier=").identifier()).isNull();
    }

    @Test
    void pathsOutsideThePoolsAreNotLoggedVerbatim() {
        assertThat(RequestTarget.of("/readyz", null).route()).isEqualTo("/readyz");
        assertThat(RequestTarget.of("/metrics", null).route()).isEqualTo("/metrics");
        assertThat(RequestTarget.of("/some/secret-looking/path", "identifier=x").route()).isEqualTo("other");
        assertThat(RequestTarget.of("/some/secret-looking/path", "identifier=x").identifier()).isNull();
        assertThat(RequestTarget.of("/management/pools/new-pool", null))
                .isEqualTo(new RequestTarget("new-pool", "/management/pools/{name}", null, null));
        assertThat(RequestTarget.of("/pools/Not A Pool!/code/execute", null).pool()).isEqualTo("invalid");
    }

    @Test
    void whatDoesNotLookLikeAPoolNameOrAnApiVersionIsNotLogged() {
        assertThat(RequestTarget.of("/pools/p1/session", "api-version=%3Cscript%3E").apiVersion()).isNull();
        assertThat(RequestTarget.of("/pools/p1/session", "api-version=" + "1".repeat(41)).apiVersion()).isNull();
        assertThat(RequestTarget.of("/pools/p1/session", "api-version=2025-02-02-preview").apiVersion())
                .isEqualTo("2025-02-02-preview");
        assertThat(RequestTarget.of("/pools/-p1/session", null).pool()).isEqualTo("invalid");
        assertThat(RequestTarget.of("/pools/" + "a".repeat(63) + "/session", null).pool()).isEqualTo("a".repeat(63));
        assertThat(RequestTarget.of("/pools/" + "a".repeat(64) + "/session", null).pool()).isEqualTo("invalid");
        assertThat(RequestTarget.of("/pools/P1/session", null).pool()).isEqualTo("invalid");
        // the first of a repeated parameter counts, as the server reads it
        assertThat(RequestTarget.of("/pools/p1/session", "identifier=first&identifier=second").identifier()).isEqualTo("first");
    }

    @Test
    void theHashIsTheFirst16HexCharactersOfSha256OfPoolNewlineIdentifier() {
        assertThat(IdentifierHash.of("logs", "secret-identifier-4711")).isEqualTo("5906618b81b9a17a");
        assertThat(IdentifierHash.of("other", "secret-identifier-4711")).isNotEqualTo("5906618b81b9a17a");
    }
}
