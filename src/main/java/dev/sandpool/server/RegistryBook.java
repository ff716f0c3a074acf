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
     * Rows of ended sessions still to remove, as "pool\nhash\nsandbox id". A removal names the
     * sandbox, so a late or retried one never takes the new row of the same identifier.
     */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    RegistryBook(SessionRegistry registry) {
        this.registry = registry;
    }

    @Override
    public synchronized void bound(String pool, String identifierHash, SandboxHandle sandbox, Instant createdAt) {
        registry.put(new SessionRegistry.Entry(pool, identifierHash, sandbox, createdAt));
        removePending();
    }

    @Override
    public synchronized void unbound(String pool, String identifierHash, String sandboxId) {
        pending.add(pool + "\n" + identifierHash + "\n" + sandboxId);
        removePending();
    }

    private void removePending() {
        for (String key : pending) {
            String[] parts = key.split("\n", 3);
            try {
                registry.remove(parts[0], parts[1], parts[2]);
                pending.remove(key);
            } catch (StoreException e) {
                LOG.warn("pool {}: the registry still lists {} ended session(s); retrying with its next write: {}",
                        parts[0], pending.size(), e.getMessage());
                return;
            }
        }
    }
}
