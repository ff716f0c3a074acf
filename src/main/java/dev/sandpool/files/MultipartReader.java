package dev.sandpool.files;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A streaming {@code multipart/form-data} reader (RFC 2046 / RFC 7578). Uploads can be far larger
 * than what may sit in memory, so a part's content is read straight from the body through a
 * lookahead buffer of the boundary length plus 8 KiB; only header blocks are held whole.
 * <p>
 * Parts must be consumed in order: {@link #nextPart()} ends the previous part's content stream.
 * Not thread-safe.
 */
public final class MultipartReader {
    private static final int MAX_BOUNDARY = 200;
    private static final int MAX_HEADER_BLOCK = 16 * 1024;
    private static final int FALLBACK_BUFFER = 64 * 1024;
    private static final String TRUNCATED = "the multipart body ended before its closing boundary";
    // name=value or name="quoted", where a quoted value may hold ';'. .NET sends values unquoted.
    // The quoted alternatives cannot overlap, so a hostile header cannot cause runaway backtracking.
    private static final Pattern PARAMETER =
            Pattern.compile(";\\s*([^=;\\s]+)\\s*=\\s*(?:\"((?:\\\\.|[^\"\\\\])*+)\"[^;]*|([^;]*))");
    // Only \" and \\ are escapes, so Windows paths such as C:\dir\a.txt stay intact.
    private static final Pattern ESCAPE = Pattern.compile("\\\\([\\\\\"])");

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buf;
    private int pos;
    private int lim;
    private boolean eof;
    private boolean done;
    private PartStream current;

    private MultipartReader(InputStream in, String boundary, byte[] alreadyRead) {
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.buf = new byte[delimiter.length + 4 + 8192];
        // A virtual CRLF lets a body that opens directly with "--boundary" match the same
        // delimiter as every later one, and makes the preamble just another skipped stream.
        buf[0] = '\r';
        buf[1] = '\n';
        System.arraycopy(alreadyRead, 0, buf, 2, alreadyRead.length);
        lim = 2 + alreadyRead.length;
        current = new PartStream();
    }

    /** The boundary from a Content-Type header value (quoted or not, any case); empty if none. */
    public static Optional<String> boundaryOf(String contentType) {
        return Optional.ofNullable(contentType).map(t -> parameters(t).get("boundary")).filter(b -> !b.isEmpty());
    }

    /**
     * Opens the body. With no boundary, it is sniffed from a first line {@code --<token>CRLF}
     * because Semantic Kernel Python sends multipart bodies labelled {@code application/json}.
     */
    public static MultipartReader open(InputStream body, Optional<String> boundary) throws IOException {
        Objects.requireNonNull(body, "body");
        Optional<String> given = boundary.filter(b -> !b.isEmpty());
        if (given.isPresent()) {
            if (given.get().length() > MAX_BOUNDARY) {
                throw new MultipartException("the multipart boundary is longer than " + MAX_BOUNDARY + " characters");
            }
            return new MultipartReader(body, given.get(), new byte[0]);
        }
        // A request body arrives whole, so waiting for the first 204 bytes (or its end) is safe.
        byte[] head = body.readNBytes(2 + MAX_BOUNDARY + 2);
        int crlf = indexOfCrlf(head);
        boolean valid = crlf > 2 && head[0] == '-' && head[1] == '-';
        for (int i = 2; valid && i < crlf; i++) {
            valid = head[i] > ' ' && head[i] <= '~';
        }
        if (!valid) {
            throw new MultipartException("no multipart boundary: none in the Content-Type and the body does not start with --boundary");
        }
        String token = new String(head, 2, crlf - 2, StandardCharsets.ISO_8859_1);
        return new MultipartReader(body, token, head);
    }

    /**
     * The next part, or empty after the closing boundary. An unread remainder of the previous
     * part is skipped, and its stream reports end of data from then on.
     */
    public Optional<Part> nextPart() throws IOException {
        if (done) {
            return Optional.empty();
        }
        current.drain();
        int c = next();
        if (c == '-') {
            c = next();
            if (c != '-') {
                throw new MultipartException(c < 0 ? TRUNCATED : "malformed multipart boundary line");
            }
            done = true; // the epilogue is never read: it carries nothing and may not even end
            return Optional.empty();
        }
        while (c == ' ' || c == '\t') { // transport padding
            c = next();
        }
        if (c == '\r') {
            c = next();
        }
        if (c != '\n') {
            throw new MultipartException(c < 0 ? TRUNCATED : "malformed multipart boundary line");
        }
        Map<String, String> headers = readHeaders();
        Map<String, String> disposition = parameters(headers.getOrDefault("content-disposition", ""));
        Optional<String> filename = Optional.ofNullable(disposition.get("filename*"))
                .flatMap(MultipartReader::decodeExtValue)
                .or(() -> Optional.ofNullable(disposition.get("filename")));
        Optional<String> type = Optional.ofNullable(headers.get("content-type")).filter(t -> !t.isEmpty());
        current = new PartStream();
        return Optional.of(new Part(disposition.getOrDefault("name", ""), filename, type, current));
    }

    /**
     * The part carrying the uploaded file: the first part that is named {@code file} or has a
     * filename (an empty one included), whichever comes first, so that a leading field such as
     * {@code path} is skipped without reading further than needed. If no part qualifies, the first
     * part is the answer; to allow that, its content is buffered while scanning, up to 64 KiB. A
     * larger first part is returned at once (still streaming) without looking at later parts.
     * Empty only if the body has no parts at all.
     */
    public Optional<Part> firstFilePart() throws IOException {
        Optional<Part> first = nextPart();
        if (first.isEmpty() || isFile(first.get())) {
            return first;
        }
        Part p0 = first.get();
        byte[] head = p0.content().readNBytes(FALLBACK_BUFFER + 1);
        if (head.length > FALLBACK_BUFFER) {
            return Optional.of(withContent(p0, new SequenceInputStream(new ByteArrayInputStream(head), p0.content())));
        }
        for (Optional<Part> p = nextPart(); p.isPresent(); p = nextPart()) {
            if (isFile(p.get())) {
                return p;
            }
        }
        return Optional.of(withContent(p0, new ByteArrayInputStream(head)));
    }

    private static boolean isFile(Part p) {
        return p.name().equals("file") || p.filename().isPresent();
    }

    private static Part withContent(Part p, InputStream content) {
        return new Part(p.name(), p.filename(), p.contentType(), content);
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int budget = MAX_HEADER_BLOCK; ; budget--) {
            int c = next();
            if (c < 0) {
                throw new MultipartException(TRUNCATED);
            } else if (budget == 0) {
                throw new MultipartException("a multipart header block is larger than 16 KiB");
            } else if (c != '\n') {
                line.write(c);
                continue;
            }
            String text = decodeHeaderLine(line.toByteArray()).strip(); // also drops the CR of CRLF
            line.reset();
            if (text.isEmpty()) {
                return headers;
            }
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new MultipartException("malformed multipart header line");
            }
            headers.putIfAbsent(text.substring(0, colon).strip().toLowerCase(Locale.ROOT), text.substring(colon + 1).strip());
        }
    }

    // Most clients put raw UTF-8 in quoted filenames; a few still send Latin-1.
    private static String decodeHeaderLine(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    /** Parameters after the first {@code ;}, names lower-cased, first occurrence wins. */
    private static Map<String, String> parameters(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Matcher m = PARAMETER.matcher(header); m.find(); ) {
            String value = m.group(2) != null ? ESCAPE.matcher(m.group(2)).replaceAll("$1") : m.group(3).strip();
            out.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), value);
        }
        return out;
    }

    /** RFC 5987 {@code charset'lang'percent-encoded}; empty if malformed so {@code filename} is used. */
    private static Optional<String> decodeExtValue(String value) {
        int q1 = value.indexOf('\'');
        int q2 = q1 < 0 ? -1 : value.indexOf('\'', q1 + 1);
        if (q2 < 0) {
            return Optional.empty();
        }
        try {
            String name = value.substring(0, q1).strip();
            Charset charset = name.isEmpty() ? StandardCharsets.UTF_8 : Charset.forName(name);
            // '+' is a literal attr-char in RFC 5987, not a space as URLDecoder would have it.
            return Optional.of(URLDecoder.decode(value.substring(q2 + 1).replace("+", "%2B"), charset));
        } catch (IllegalArgumentException e) { // unknown charset or a broken %XX escape
            return Optional.empty();
        }
    }

    private static int indexOfCrlf(byte[] b) {
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private int next() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** Compacts, then reads once more into the free space; false at end of body. */
    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        while (!eof) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) {
                eof = true;
            } else if (r > 0) {
                lim += r;
                return true;
            }
        }
        return false;
    }

    /** A part's content (or the preamble): bytes up to the CRLF of the next delimiter. */
    private final class PartStream extends InputStream {
        /** Bytes from {@code pos} known to be content; counted from pos so compaction keeps it valid. */
        private int safe;
        /** The delimiter starts right after the {@code safe} bytes. */
        private boolean delimiterNext;
        private boolean finished;

        @Override
        public int read() throws IOException {
            if (!ensure()) {
                return -1;
            }
            safe--;
            return buf[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (!ensure()) {
                return -1;
            }
            int n = Math.min(len, safe);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            safe -= n;
            return n;
        }

        void drain() throws IOException {
            while (ensure()) {
                pos += safe;
                safe = 0;
            }
        }

        /** True when {@code safe > 0}; false once the delimiter is reached (and consumed). */
        private boolean ensure() throws IOException {
            while (!finished && safe == 0) {
                if (delimiterNext) {
                    pos += delimiter.length;
                    finished = true;
                } else if (!search()) {
                    if (eof) {
                        throw new MultipartException(TRUNCATED);
                    }
                    fill();
                }
            }
            return !finished;
        }

        /** Finds how far the content surely goes; false if more input is needed to tell. */
        private boolean search() {
            int dl = delimiter.length;
            for (int i = pos; i + dl <= lim; i++) {
                if (buf[i] == '\r' && Arrays.equals(buf, i, i + dl, delimiter, 0, dl)) {
                    int verdict = delimiterFollows(i + dl);
                    if (verdict != 0) {
                        safe = i - pos;
                        delimiterNext = verdict > 0;
                        return safe > 0 || delimiterNext;
                    }
                }
            }
            safe = Math.max(0, lim - dl + 1 - pos);
            return safe > 0;
        }

        /**
         * Whether the boundary match ending at {@code j} is a delimiter: 1 yes, 0 no, -1 unknown yet.
         * A longer boundary that merely starts with ours ("--abcX") is kept as content: RFC 2046
         * forbids it in a part anyway, so tolerating it costs nothing and fails fewer uploads.
         */
        private int delimiterFollows(int j) {
            if (j >= lim) {
                return eof ? 1 : -1;
            }
            int c = buf[j];
            if (c == '-') {
                return j + 1 >= lim ? (eof ? 1 : -1) : buf[j + 1] == '-' ? 1 : 0;
            }
            return c == '\r' || c == '\n' || c == ' ' || c == '\t' ? 1 : 0;
        }
    }

    /** One part; {@code content} streams from the body and is valid until the next {@link #nextPart()}. */
    public record Part(String name, Optional<String> filename, Optional<String> contentType, InputStream content) {}

    /** The body is not well-formed multipart. */
    public static final class MultipartException extends IOException {
        private static final long serialVersionUID = 1L;

        public MultipartException(String message) {
            super(message);
        }
    }
}
