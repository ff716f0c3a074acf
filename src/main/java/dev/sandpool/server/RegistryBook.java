package dev.sandpool.server;

import dev.sandpool.pool.SessionBook;
import dev.sandpool.sandbox.SandboxHandle;
import dev.sandpool.store.SessionRegistry;
import dev.sandpool.store.StoreException;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pools' bindings, written to the session registry. A binding that cannot be written fails
 * its allocation (the pool undoes it). An ended session is over whether or not its row can be
 * removed (disk full, database locked by another process): the removal is kept and retried with
 * the next registry write, and a row that outlives the process names a sandbox that the next
 * start finds gone and drops.
 */
final class RegistryBook implements SessionBook {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryBook.class);
    private final SessionRegistry registry;
    /**
     * Rows of ended sessions still to remove, as "pool\nhash". Bound and unbound run one at a
     * time, so that a retried removal never meets the new row of the same identifier.
     */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    RegistryBook(SessionRegistry registry) {
        this.registry = registry;
    }

    @Override
    public synchronized void bound(String pool, String identifierHash, SandboxHandle sandbox, Instant createdAt) {
        pending.remove(key(pool, identifierHash)); // the identifier's new row replaces the old one
        registry.put(new SessionRegistry.Entry(pool, identifierHash, sandbox, createdAt));
        removePending();
    }

    @Override
    public synchronized void unbound(String pool, String identifierHash) {
        pending.add(key(pool, identifierHash));
        removePending();
    }

    private void removePending() {
        for (String key : pending) {
            String[] parts = key.split("\n", 2);
            try {
                registry.remove(parts[0], parts[1]);
                pending.remove(key);
            } catch (StoreException e) {
                LOG.warn("pool {}: the registry still lists {} ended session(s); retrying with its next write: {}",
                        parts[0], pending.size(), e.getMessage());
                return;
            }
        }
    }

    private static String key(String pool, String identifierHash) {
        return pool + "\n" + identifierHash;
    }
}
