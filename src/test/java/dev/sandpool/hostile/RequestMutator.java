package dev.sandpool.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Makes hostile requests from well-formed ones: a seeded mutator over the request line, the
 * headers and the body, at the byte level (flips, inserts of troublesome bytes, cuts, repeats,
 * splices) and at the token level (values that break parsers: huge numbers, deep nesting, {@code ..},
 * encoded slashes and NULs, wrong JSON types). The Authorization header is kept as it is, so that
 * requests get past authentication to the parsers behind it.
 */
final class RequestMutator {
    /** A request in parts; {@code fixLength} recomputes Content-Length from the mutated body. */
    record Request(String requestLine, List<String> headers, byte[] body, boolean fixLength) {
        byte[] bytes(String authorization) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((requestLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(authorization.getBytes(StandardCharsets.ISO_8859_1));
            for (String h : headers) {
                if (!(fixLength && h.regionMatches(true, 0, "Content-Length:", 0, 15))) {
                    out.writeBytes((h + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            if (fixLength && body.length > 0) {
                out.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(body);
            return out.toByteArray();
        }
    }

    private static final String[] TOKENS = {"..", "../", "..%2F", "%2e%2e%2f", "%00", "\u0000", "%2F", "%252F", "\\", "/",
            "%", "%zz", "%C0%AE", "\r\n", "\n", "\"", "'", "{", "}", "[", "]", ",", ":", "null", "true", "-1", "0", "1e999",
            "99999999999999999999999", "NaN", "\uFEFF", "\u00ff", "hx7q", "/mnt/data/", "/etc/", "&identifier=", "?", "#",
            ";", "=", " ", "\t", "--", "boundary=", "chunked", "Transfer-Encoding: chunked", "Content-Length: 0",
            "Expect: 100-continue", "Connection: close", "*"};
    private final Random random;

    RequestMutator(long seed) {
        this.random = new Random(seed);
    }

    Request mutate(Request seed, List<Request> corpus) {
        Request r = seed;
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            r = switch (random.nextInt(10)) {
                case 0, 1 -> new Request(text(r.requestLine()), r.headers(), r.body(), r.fixLength());
                case 2 -> new Request(r.requestLine(), headers(r.headers()), r.body(), r.fixLength());
                case 3 -> new Request(r.requestLine(), r.headers(), r.body(), !r.fixLength());
                case 4 -> new Request(r.requestLine(), r.headers(),
                        bytes(r.body(), corpus.get(random.nextInt(corpus.size())).body()), r.fixLength());
                default -> new Request(r.requestLine(), r.headers(), bytes(r.body(), null), r.fixLength());
            };
        }
        return r;
    }

    private String text(String s) {
        return new String(bytes(s.getBytes(StandardCharsets.ISO_8859_1), null), StandardCharsets.ISO_8859_1);
    }

    private List<String> headers(List<String> headers) {
        List<String> out = new ArrayList<>(headers);
        int op = random.nextInt(4);
        if (op == 0 && !out.isEmpty()) {
            out.remove(random.nextInt(out.size()));
        } else if (op == 1 && !out.isEmpty()) {
            out.add(out.get(random.nextInt(out.size())));
        } else if (op == 2) {
            out.add(TOKENS[random.nextInt(TOKENS.length)] + ": " + text("v"));
        } else if (!out.isEmpty()) {
            int i = random.nextInt(out.size());
            out.set(i, text(out.get(i)));
        }
        return out;
    }

    /** One byte-level or token-level change; {@code donor} is spliced in when given. */
    private byte[] bytes(byte[] in, byte[] donor) {
        int at = in.length == 0 ? 0 : random.nextInt(in.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (donor != null && donor.length > 0) {
            int from = random.nextInt(donor.length);
            out.write(in, 0, at);
            out.write(donor, from, random.nextInt(donor.length - from + 1));
            out.write(in, at, in.length - at);
            return out.toByteArray();
        }
        switch (random.nextInt(7)) {
            case 0 -> { // flip a byte
                byte[] copy = in.clone();
                if (copy.length > 0) {
                    copy[Math.min(at, copy.length - 1)] ^= (byte) (1 << random.nextInt(8));
                }
                return copy;
            }
            case 1 -> { // cut a range
                int end = Math.min(in.length, at + random.nextInt(64));
                out.write(in, 0, at);
                out.write(in, end, in.length - end);
            }
            case 2 -> { // repeat a range, sometimes many times
                int end = Math.min(in.length, at + 1 + random.nextInt(16));
                out.write(in, 0, end);
                int times = random.nextInt(8) == 0 ? 5000 : 1 + random.nextInt(4);
                for (int i = 0; i < times; i++) {
                    out.write(in, at, end - at);
                }
                out.write(in, end, in.length - end);
            }
            case 3 -> { // truncate
                out.write(in, 0, at);
            }
            case 4 -> { // a random byte
                out.write(in, 0, at);
                out.write(random.nextInt(256));
                out.write(in, at, in.length - at);
            }
            default -> { // a token that breaks parsers
                out.write(in, 0, at);
                out.writeBytes(TOKENS[random.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
                out.write(in, at, in.length - at);
            }
        }
        return out.toByteArray();
    }
}
