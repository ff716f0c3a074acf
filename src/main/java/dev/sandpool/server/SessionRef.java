package dev.sandpool.server;

/**
 * A session as a request names it: the identifier the client sent (echoed in answers) and the key
 * the pool knows it by. With identifier binding, the key is the caller's owner tag, a space (which
 * no identifier may hold) and the identifier, so two callers with one identifier get two sessions.
 */
record SessionRef(String identifier, String key) {
    static String identifierOf(String key) {
        int space = key.indexOf(' ');
        return space < 0 ? key : key.substring(space + 1);
    }

    static boolean ownedBy(String key, String owner) {
        return owner == null ? key.indexOf(' ') < 0 : key.startsWith(owner + " ");
    }
}
