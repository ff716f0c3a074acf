package dev.sandpool.files;

import java.io.IOException;

/** The disk under the server's data directory has no room for what a request would store; nothing of it is kept. */
public class InsufficientStorageException extends IOException {
    public InsufficientStorageException(String message, IOException cause) {
        super(message, cause);
    }

    /** Whether {@code e} is the kernel's ENOSPC or EDQUOT; the JDK reports an errno only as its text. */
    public static boolean isNoSpace(Exception e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("No space left on device") || message.contains("Disk quota exceeded");
    }
}
