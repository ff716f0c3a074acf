package dev.sandpool.sandbox;

import dev.sandpool.config.Isolation;

/** The built-in pools' contract under `isolation: namespaces`. */
class NamespacesBuiltInPoolsTest extends BuiltInPoolsContract {
    @Override
    Isolation isolation() {
        return Isolation.NAMESPACES;
    }
}
