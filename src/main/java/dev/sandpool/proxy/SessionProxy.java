package dev.sandpool.proxy;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reverse proxy of a session's target port: any method and path, bodies streamed both ways
 * through bounded buffers, hop-by-hop fields handled per RFC 9110 §7.6.1, {@code X-Forwarded-*},
 * {@code Forwarded} and {@code Via} added, and WebSocket upgrades passed through as raw bytes (see
 * {@link UpgradePassThrough}).
 * <p>
 * Each request uses a connection of its own from the {@link Dialer}, closed after the exchange:
 * dialing is cheap next to a session's work, and no half-read connection is ever reused.
 * <p>
 * The proxy's own answers have Azure's error shape: 502 {@code BadGateway} when the port refuses,
 * the dialer fails, or the backend closes or answers garbage before its status line; 504
 * {@code GatewayTimeout} when connecting or the status line takes longer than allowed. A backend
 * that fails after its headers went out makes the proxy drop the client's connection, the only
 * signal left that the body is incomplete.
 * <p>
 * A request body the backend did not take (it answered early, or could not be reached) is left to
 * Helidon, which reads and discards the rest so the connection stays in step, with one exception:
 * a client still waiting for {@code 100 Continue} will not send its body, so its connection is
 * closed after the answer instead.
 */
public final class SessionProxy {
    private static final Logger LOG = LoggerFactory.getLogger(SessionProxy.class);

    /** Forwards an ordinary request (anything but a WebSocket upgrade, see {@link #upgrade}). */
    public void forward(ServerRequest req, ServerResponse res, Dialer dialer, String pathAndQuery,
                        ProxyOptions options) {
        BackendConnection backend = connect(req, res, dialer, options);
        if (backend == null) {
            return;
        }
        try (backend) {
            BackendRequest.Framing framing = framing(req);
            long length = framing == BackendRequest.Framing.LENGTH ? req.headers().contentLength().orElseThrow() : -1;
            Optional<ResponseHead> head = exchange(req, res, backend,
                    BackendRequest.head(req, pathAndQuery, options, framing, length, null), framing, options);
            if (head.isEmpty()) {
                return;
            }
            if (head.get().status() == 101) {
                ProxyErrors.badGateway(res, "the session's container switched protocols without being asked to");
                return;
            }
            relay(req, res, head.get(), backend);
        }
    }

    /**
     * The protocol-upgrade step of a WebSocket request (call it from
     * {@link io.helidon.webserver.http.spi.ProtocolUpgradeHandler#handleProtocolUpgrade}, as
     * {@link ProxyRoute} does): sends the handshake to the backend and, when it answers 101, lets
     * Helidon switch the client's connection to a byte tunnel to it. Any other answer, and the proxy's
     * own errors, go to the client as ordinary responses.
     */
    public void upgrade(ServerRequest req, ServerResponse res, Dialer dialer, String pathAndQuery,
                        ProxyOptions options) {
        Optional<UpgradePassThrough.Pending> pending = UpgradePassThrough.pending();
        String protocol = req.headers().first(HeaderNames.UPGRADE).orElse(null);
        if (pending.isEmpty() || protocol == null) {
            res.next(); // an upgrade someone else handles
            return;
        }
        BackendConnection backend = connect(req, res, dialer, options);
        if (backend == null) {
            return;
        }
        boolean handedOver = false;
        try {
            Optional<ResponseHead> head = exchange(req, res, backend, BackendRequest.head(req, pathAndQuery, options,
                    BackendRequest.Framing.NONE, -1, protocol), BackendRequest.Framing.NONE, options);
            if (head.isEmpty()) {
                return;
            }
            if (head.get().status() == 101) {
                pending.get().accept(backend, switchingFields(head.get()));
                handedOver = true;
                res.next();
            } else {
                relay(req, res, head.get(), backend);
            }
        } finally {
            if (!handedOver) {
                backend.close();
            }
        }
    }

    private static BackendConnection connect(ServerRequest req, ServerResponse res, Dialer dialer,
                                             ProxyOptions options) {
        try {
            return BackendConnection.open(dialer, options.connectTimeout());
        } catch (SocketTimeoutException e) {
            LOG.debug("proxy: connecting to the session's target port timed out: {}", e.toString());
            answer(req, res, Status.GATEWAY_TIMEOUT_504, "GatewayTimeout",
                    "the session's target port did not accept a connection within "
                            + options.connectTimeout().toMillis() + " ms");
        } catch (IOException | RuntimeException e) {
            LOG.debug("proxy: connecting to the session's target port failed: {}", e.toString());
            answer(req, res, Status.BAD_GATEWAY_502, "BadGateway",
                    "the session's target port refused the connection or cannot be reached");
        }
        return null;
    }

    private static BackendRequest.Framing framing(ServerRequest req) {
        if (req.content().hasEntity()) {
            OptionalLong length = req.headers().contentLength();
            return length.isPresent() ? BackendRequest.Framing.LENGTH : BackendRequest.Framing.CHUNKED;
        }
        return req.headers().contains(HeaderNames.CONTENT_LENGTH) ? BackendRequest.Framing.EMPTY
                : BackendRequest.Framing.NONE;
    }

    /** Sends the request and waits for the answer's head; empty when the proxy answered an error itself. */
    private static Optional<ResponseHead> exchange(ServerRequest req, ServerResponse res, BackendConnection backend,
                                                   byte[] requestHead, BackendRequest.Framing framing,
                                                   ProxyOptions options) {
        try {
            backend.sendHead(requestHead);
        } catch (IOException e) {
            LOG.debug("proxy: sending the request head failed: {}", e.toString());
            answer(req, res, Status.BAD_GATEWAY_502, "BadGateway",
                    "the session's container closed the connection before taking the request");
            return Optional.empty();
        }
        if (framing == BackendRequest.Framing.LENGTH || framing == BackendRequest.Framing.CHUNKED) {
            backend.sendBody(req.content().inputStream(), framing == BackendRequest.Framing.CHUNKED);
        }
        try {
            return Optional.of(backend.awaitHead(options.responseTimeout()));
        } catch (BackendConnection.BackendTimeoutException e) {
            answerClientFailure(res, backend);
            answer(req, res, Status.GATEWAY_TIMEOUT_504, "GatewayTimeout",
                    "the session's container did not answer within " + options.responseTimeout().toMillis() + " ms");
        } catch (IOException e) {
            LOG.debug("proxy: no response head from the session's container: {}", e.toString());
            answerClientFailure(res, backend);
            answer(req, res, Status.BAD_GATEWAY_502, "BadGateway", "the session's container " + describe(e));
        }
        return Optional.empty();
    }

    private static void relay(ServerRequest req, ServerResponse res, ResponseHead head, BackendConnection backend) {
        try {
            ResponseRelay.relay(req, res, head, backend);
        } catch (IOException e) {
            // relay only throws checked exceptions before anything is sent
            LOG.debug("proxy: the session's container sent an invalid response: {}", e.toString());
            answer(req, res, Status.BAD_GATEWAY_502, "BadGateway", "the session's container " + describe(e));
        }
    }

    private static String describe(IOException e) {
        if (e instanceof ResponseHead.MalformedResponseException) {
            return "sent a response that is not valid HTTP/1.1: " + e.getMessage();
        }
        return "closed the connection without answering";
    }

    /** An error of the proxy's own, in Azure's shape. */
    private static void answer(ServerRequest req, ServerResponse res, Status status, String code, String message) {
        boolean awaitingContinue = req.content().hasEntity() && !req.continueSent()
                && req.headers().containsToken(HeaderValues.EXPECT_100);
        if (awaitingContinue) {
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
        ProxyErrors.write(res, status, code, message);
        if (awaitingContinue) {
            // Helidon would wait to drain a body the client never sends, then read its next request
            // as that body; a header alone does not make Helidon 4.5 close the connection
            throw new CloseConnectionException("answered before 100 Continue; the body will not come");
        }
    }

    /**
     * A failed upload is the client's problem, not the backend's, so it is not a 502. Helidon's own
     * request errors (413 past the payload limit, 400 for framing it rejects) go back to Helidon,
     * which answers them; a client that went away gets its connection closed; any other failure to
     * read the body (Helidon 4.5.0 throws a bare NumberFormatException on a chunk extension) is a
     * 400 here, after which the connection is closed since the rest of the body cannot be read.
     */
    private static void answerClientFailure(ServerResponse res, BackendConnection backend) {
        Throwable failure = backend.clientFailure();
        if (failure == null) {
            return;
        }
        if (failure instanceof RequestException || failure instanceof HttpException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof IOException || failure instanceof UncheckedIOException
                || failure instanceof DataReader.InsufficientDataAvailableException) {
            throw new CloseConnectionException("the client's upload failed", failure);
        }
        res.header(HeaderValues.CONNECTION_CLOSE);
        ProxyErrors.write(res, Status.BAD_REQUEST_400, "InvalidRequestBody",
                "the request body could not be read as HTTP/1.1 chunked or fixed-length content");
        throw new CloseConnectionException("unreadable request body", failure);
    }

    /** The backend's 101 fields for the client: its end-to-end ones plus the upgrade itself. */
    private static WritableHeaders<?> switchingFields(ResponseHead head) {
        HopByHop hop = HopByHop.of(head.values("connection"));
        WritableHeaders<?> fields = WritableHeaders.create();
        for (ResponseHead.Field field : head.fields()) {
            String lower = field.name().toLowerCase(Locale.ROOT);
            if (!hop.isHopByHop(lower) && !lower.equals("content-length")) {
                fields.add(HeaderNames.create(field.name()), field.value());
            }
        }
        List<String> upgrade = head.values("upgrade");
        fields.set(HeaderNames.CONNECTION, "Upgrade");
        fields.set(HeaderNames.UPGRADE, upgrade.isEmpty() ? "websocket" : upgrade.getFirst());
        return fields;
    }
}
