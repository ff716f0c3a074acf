package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The paths routes see: Azure's ARM-style aliases mapped, empty segments dropped, the rest untouched. */
class PathAliasesTest {
    @Test
    void aPlainPathIsLeftAsItIs() {
        assertThat(PathAliases.canonical("/pools/default/code/execute")).isEqualTo("/pools/default/code/execute");
        assertThat(PathAliases.canonical("/subscriptionsX/pools")).isEqualTo("/subscriptionsX/pools");
        assertThat(PathAliases.canonical("/healthz")).isEqualTo("/healthz");
    }

    @Test
    void emptySegmentsGo() {
        assertThat(PathAliases.canonical("//pools//default/files/")).isEqualTo("/pools/default/files");
        assertThat(PathAliases.canonical("/")).isEqualTo("/");
        assertThat(PathAliases.canonical("")).isEqualTo("/");
    }

    @Test
    void armPathsBecomeTheirShortForms() {
        assertThat(PathAliases.canonical("/subscriptions/s/resourceGroups/r/providers/Microsoft.App/sessionPools/p1"))
                .isEqualTo("/management/pools/p1");
        assertThat(PathAliases.canonical("/SUBSCRIPTIONS/s/resourcegroups/r/providers/microsoft.app/sessionpools"))
                .isEqualTo("/management/pools");
        assertThat(PathAliases.canonical("/subscriptions/s/resourceGroups/r/sessionPools/p1/code/execute"))
                .isEqualTo("/pools/p1/code/execute");
    }
}
