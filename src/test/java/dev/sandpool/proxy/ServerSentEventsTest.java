package dev.sandpool.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Server-sent events arrive as they are written: the backend writes three events 300 ms apart and,
 * before the last one, checks that the client already has the first. A proxy that buffers until
 * the end (a plain {@code transferTo}) would leave the client waiting for all three at once.
 */
class ServerSentEventsTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void eventsArriveAsTheyAreWritten(boolean chunked) throws Exception {
        CountDownLatch clientHasFirst = new CountDownLatch(1);
        AtomicBoolean firstArrivedBeforeLastWritten = new AtomicBoolean();
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 x.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                         + (chunked ? "Transfer-Encoding: chunked\r\n" : "") + "\r\n");
                 String[] events = {"one", "two", "three"};
                 for (int i = 0; i < events.length; i++) {
                     if (i > 0) {
                         Thread.sleep(300);
                     }
                     if (i == events.length - 1) {
                         firstArrivedBeforeLastWritten.set(clientHasFirst.await(10, TimeUnit.SECONDS));
                     }
                     String event = "event: tick\ndata: " + events[i] + "\n\n";
                     x.write(chunked ? Integer.toHexString(event.length()) + "\r\n" + event + "\r\n" : event);
                 }
                 if (chunked) {
                     x.write("0\r\n\r\n");
                 }
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<java.io.InputStream> response = http.send(HttpRequest.newBuilder(proxy.uri("/events"))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
            List<String> data = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    if (line.startsWith("data: ")) {
                        data.add(line.substring(6));
                        clientHasFirst.countDown();
                    }
                }
            }
            assertThat(data).containsExactly("one", "two", "three");
            assertThat(firstArrivedBeforeLastWritten).as("the first event reached the client before the last was written")
                    .isTrue();
        }
    }
}
