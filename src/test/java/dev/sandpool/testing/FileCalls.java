package dev.sandpool.testing;

import java.net.http.HttpResponse;

/** V1 file calls as LangChain makes them: one multipart upload of a named file, and its download. */
public final class FileCalls {
    private static final String BOUNDARY = "----sandpool-test-boundary";

    private FileCalls() {}

    public static AzureClient.Response upload(AzureClient client, String pool, String identifier, String name, byte[] content) {
        return client.upload("/pools/" + pool + "/files/upload?identifier=" + AzureClient.encode(identifier)
                        + "&api-version=" + AzureClient.V1, "multipart/form-data; boundary=" + BOUNDARY,
                AzureClient.multipart(BOUNDARY, "form-data; name=\"file\"; filename=\"" + name + "\"",
                        "application/octet-stream", content));
    }

    public static HttpResponse<byte[]> download(AzureClient client, String pool, String identifier, String name) {
        return client.download("/pools/" + pool + "/files/content/" + name + "?identifier="
                + AzureClient.encode(identifier) + "&api-version=" + AzureClient.V1);
    }
}
