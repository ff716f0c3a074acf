package dev.sandpool.proxy;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Passes a backend's response to the client: its status and end-to-end fields, then its body,
 * streamed. The body's framing on the client side is Helidon's: {@code Content-Length} when the
 * backend gave one, chunked otherwise (the backend's chunks are decoded and written again, flushed
 * where the backend paused). Trailer fields are not passed on.
 *
 * <p>A body of known length up to {@link #WHOLE_BODY_LIMIT} is read whole before anything goes to
 * the client, then sent with the head in one write: most answers of a session's web server are
 * that small, and streaming them cost a pump buffer and a write per flush. A backend that dies in
 * the middle of such a body gets a 502, where a streamed one can only end the client's connection.
 */
final class ResponseRelay {
    static final int WHOLE_BODY_LIMIT = 64 * 1024;

    private ResponseRelay() {}

    /** How the backend delimits its body (RFC 9112 §6.3). */
    private enum Body { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    static void relay(ServerRequest req, ServerResponse res, ResponseHead head, BackendConnection backend)
            throws IOException {
        int code = head.status();
        boolean headRequest = req.prologue().method() == Method.HEAD;
        long length = -1;
        Body body;
        List<String> codings = head.values("transfer-encoding");
        if (headRequest || code == 204 || code == 205 || code == 304) {
            body = Body.NONE;
        } else if (!codings.isEmpty()) {
            // a Content-Length beside Transfer-Encoding is ignored, as RFC 9112 §6.3 says; a coding
            // other than chunked last means the body ends with the connection
            body = lastCoding(codings).equals("chunked") ? Body.CHUNKED : Body.UNTIL_CLOSE;
        } else if (!head.values("content-length").isEmpty()) {
            length = contentLength(head.values("content-length"));
            body = Body.LENGTH;
        } else {
            body = Body.UNTIL_CLOSE;
        }

        byte[] whole = body == Body.LENGTH && length > 0 && length <= WHOLE_BODY_LIMIT ? readWhole(backend, (int) length) : null;
        res.status(Status.create(code, head.reason()));
        copyFields(head, res);
        if (whole != null) {
            res.send(whole);
            return;
        }
        if (body == Body.NONE || (body == Body.LENGTH && length == 0)) {
            if (headRequest && !head.values("content-length").isEmpty()) {
                // a HEAD answer tells the length of the body a GET would have had; Helidon keeps a
                // length set before send() and writes no body
                res.headers().contentLength(contentLength(head.values("content-length")));
            } else if (body == Body.LENGTH) {
                res.headers().contentLength(0);
            }
            res.send();
            return;
        }
        if (body == Body.LENGTH) {
            res.headers().contentLength(length);
        }
        InputStream in = switch (body) {
            case LENGTH -> new LengthInputStream(backend.in, length);
            case CHUNKED -> new ChunkedInputStream(backend.in);
            default -> backend.in;
        };
        OutputStream out = res.outputStream();
        try {
            StreamPump.copy(in, out);
        } catch (StreamPump.SourceException e) {
            // the headers are gone already: the only honest signal left is an aborted connection
            throw new CloseConnectionException("the backend failed in the middle of its response body", e);
        }
        out.close();
    }

    private static byte[] readWhole(BackendConnection backend, int length) throws IOException {
        byte[] whole = backend.in.readNBytes(length);
        if (whole.length < length) {
            throw new ResponseHead.MalformedResponseException("its body ended after " + whole.length + " of the "
                    + length + " bytes its Content-Length announced");
        }
        return whole;
    }

    private static void copyFields(ResponseHead head, ServerResponse res) {
        List<String> connection = new ArrayList<>(head.values("connection"));
        connection.addAll(head.values("proxy-connection"));
        HopByHop hop = HopByHop.of(connection);
        for (ResponseHead.Field field : head.fields()) {
            String lower = field.name().toLowerCase(Locale.ROOT);
            if (hop.isHopByHop(lower) || lower.equals("content-length")) {
                continue;
            }
            res.headers().add(HeaderNames.create(field.name()), field.value());
        }
    }

    private static String lastCoding(List<String> values) {
        String last = values.getLast();
        int comma = last.lastIndexOf(',');
        return (comma < 0 ? last : last.substring(comma + 1)).strip().toLowerCase(Locale.ROOT);
    }

    /** Several equal values (or one list of them) are one length; anything else is not a response to pass on. */
    private static long contentLength(List<String> values) throws ResponseHead.MalformedResponseException {
        long length = -1;
        for (String value : values) {
            for (String part : value.split(",")) {
                long n;
                try {
                    String digits = part.strip();
                    if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
                        throw new NumberFormatException();
                    }
                    n = Long.parseLong(digits);
                } catch (NumberFormatException e) {
                    throw new ResponseHead.MalformedResponseException("the backend sent an invalid Content-Length");
                }
                if (length >= 0 && n != length) {
                    throw new ResponseHead.MalformedResponseException("the backend sent conflicting Content-Length values");
                }
                length = n;
            }
        }
        return length;
    }
}
