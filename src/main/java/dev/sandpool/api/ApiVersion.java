package dev.sandpool.api;

/**
 * Which wire contract a request speaks. {@code api-version} up to 2024-08-02-preview (or none at all,
 * as legacy callers send) is V1; 2024-10-02-preview and later are V2. Unknown versions map by date.
 */
public enum ApiVersion {
    V1, V2;

    private static final String FIRST_V2 = "2024-10-02";

    public static ApiVersion of(String apiVersion) {
        if (apiVersion == null || apiVersion.length() < 10) {
            return V1;
        }
        return apiVersion.substring(0, 10).compareTo(FIRST_V2) >= 0 ? V2 : V1;
    }
}
