package dev.sandpool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The server's connection timeouts: the defaults, every key's mapping, and what is refused. */
class ConnectionTimeoutsTest {

    @Test
    void defaults() {
        ConnectionTimeouts timeouts = ConfigLoader.parse("server:\n  port: 9000\n").validated().server().timeouts();
        assertThat(timeouts).isEqualTo(new ConnectionTimeouts(Duration.ofMinutes(5), Duration.ofSeconds(30),
                Duration.ofSeconds(60)));
        assertThat(ServerConfig.defaults().timeouts()).isEqualTo(timeouts);
    }

    @Test
    void explicitPropertyMappings() {
        ConnectionTimeouts timeouts = ConfigLoader.parse("""
                server:
                  timeouts:
                    idle: PT2M
                    header: 15
                    bodyRead: PT0.5S
                """).validated().server().timeouts();
        assertThat(timeouts).isEqualTo(new ConnectionTimeouts(Duration.ofMinutes(2), Duration.ofSeconds(15),
                Duration.ofMillis(500)));
    }

    @Test
    void zeroNegativeAndUnknownAreRefused() {
        assertThatThrownBy(() -> ConfigLoader.parse("server:\n  timeouts:\n    header: PT0S\n").validated())
                .hasMessageContaining("server.timeouts.header");
        assertThatThrownBy(() -> ConfigLoader.parse("server:\n  timeouts:\n    idle: -5\n").validated())
                .hasMessageContaining("server.timeouts.idle");
        assertThatThrownBy(() -> ConfigLoader.parse("server:\n  timeouts:\n    read: PT1S\n"))
                .hasMessageContaining("unknown key 'read'");
        assertThatThrownBy(() -> ConfigLoader.parse("server:\n  timeouts:\n    bodyRead: soon\n"))
                .hasMessageContaining("server.timeouts.bodyRead");
    }
}
