package dev.sandpool.sandbox;

import dev.sandpool.config.Isolation;

/** The built-in pools' contract under `isolation: gvisor`. */
class GvisorBuiltInPoolsTest extends BuiltInPoolsContract {
    @Override
    Isolation isolation() {
        return Isolation.GVISOR;
    }
}
