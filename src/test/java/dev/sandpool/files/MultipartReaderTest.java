package dev.sandpool.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandpool.files.MultipartReader.MultipartException;
import dev.sandpool.files.MultipartReader.Part;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Bodies are written byte for byte the way each client library sends them, and are fed through
 * streams that split them at every possible place, since a delimiter cut in two by the network is
 * the case a streaming parser most easily gets wrong.
 */
class MultipartReaderTest {
    private static final String UNDICI = "----formdata-undici-022997858003";

    @Test
    void langChainJsBody() throws IOException {
        String body = "--" + UNDICI + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"test.txt\"\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "\r\n"
                + "hello world\r\n"
                + "--" + UNDICI + "--\r\n";
        MultipartReader reader = MultipartReader.open(stream(body),
                MultipartReader.boundaryOf("multipart/form-data; boundary=" + UNDICI));

        Part part = reader.nextPart().orElseThrow();
        assertThat(part.name()).isEqualTo("file");
        assertThat(part.filename()).contains("test.txt");
        assertThat(part.contentType()).contains("application/octet-stream");
        assertThat(text(part)).isEqualTo("hello world");
        assertThat(reader.nextPart()).isEmpty();
        assertThat(reader.nextPart()).isEmpty();
    }

    @Test
    void partWithoutFilenameParameter() throws IOException {
        // LangChain Python posting `data=` with no remote file name
        String body = "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nprint(1)\r\n--b--\r\n";
        Part part = MultipartReader.open(stream(body), Optional.of("b")).firstFilePart().orElseThrow();
        assertThat(part.name()).isEqualTo("file");
        assertThat(part.filename()).isEmpty();
        assertThat(part.contentType()).isEmpty();
        assertThat(text(part)).isEqualTo("print(1)");
    }

    @Test
    void filenamesArePassedThroughAsSent() throws IOException {
        String body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"/mnt/data/x.txt\"\r\n\r\nx\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sub/dir/a.txt\"\r\n\r\na\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\dir\\w.txt\"\r\n\r\nw\r\n--b--";
        MultipartReader reader = MultipartReader.open(stream(body), Optional.of("b"));
        assertThat(reader.nextPart().orElseThrow().filename()).contains("/mnt/data/x.txt");
        assertThat(reader.nextPart().orElseThrow().filename()).contains("sub/dir/a.txt");
        assertThat(reader.nextPart().orElseThrow().filename()).contains("C:\\dir\\w.txt");
        assertThat(reader.nextPart()).isEmpty();
    }

    @Test
    void dotNetUnquotedValuesPreferFilenameStar() throws IOException {
        // .NET's MultipartFormDataContent: unquoted values, lower-case header names allowed
        String body = "--8d3a7f\r\n"
                + "content-disposition: form-data; name=file; filename=cafe.txt; filename*=utf-8''caf%C3%A9%20x+y.txt\r\n"
                + "\r\nbonjour\r\n--8d3a7f--\r\n";
        Part part = MultipartReader.open(stream(body), Optional.of("8d3a7f")).nextPart().orElseThrow();
        assertThat(part.name()).isEqualTo("file");
        assertThat(part.filename()).contains("café x+y.txt");
        assertThat(text(part)).isEqualTo("bonjour");
    }

    @Test
    void filenameStarHonoursItsCharsetAndFallsBackWhenBroken() throws IOException {
        String body = "--b\r\nContent-Disposition: form-data; name=a; filename=\"l.txt\"; filename*=ISO-8859-1'fr'caf%E9.txt\r\n\r\n\r\n"
                + "--b\r\nContent-Disposition: form-data; name=b; filename=\"plain.txt\"; filename*=nonsense-charset''x.txt\r\n\r\n\r\n"
                + "--b\r\nContent-Disposition: form-data; name=c; filename=\"kept.txt\"; filename*=no-quotes.txt\r\n\r\n\r\n--b--";
        MultipartReader reader = MultipartReader.open(stream(body), Optional.of("b"));
        assertThat(reader.nextPart().orElseThrow().filename()).contains("café.txt");
        assertThat(reader.nextPart().orElseThrow().filename()).contains("plain.txt");
        assertThat(reader.nextPart().orElseThrow().filename()).contains("kept.txt");
    }

    @Test
    void quotedValuesMayHoldSemicolonsAndEscapedQuotes() throws IOException {
        String body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b \\\"q\\\".txt\"\r\n\r\nz\r\n--b--";
        Part part = MultipartReader.open(stream(body), Optional.of("b")).nextPart().orElseThrow();
        assertThat(part.filename()).contains("a;b \"q\".txt");
        assertThat(part.name()).isEqualTo("file");
    }

    @Test
    void rawUtf8InAQuotedFilename() throws IOException {
        byte[] body = ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"résumé.txt\"\r\n\r\nz\r\n--b--")
                .getBytes(StandardCharsets.UTF_8);
        Part part = MultipartReader.open(new ByteArrayInputStream(body), Optional.of("b")).nextPart().orElseThrow();
        assertThat(part.filename()).contains("résumé.txt");
    }

    @Test
    void langChain4jJsonPartType() throws IOException {
        String body = "--lc4j\r\nContent-Disposition: form-data; name=\"file\"; filename=\"data.json\"\r\n"
                + "Content-Type: application/json\r\n\r\n{\"k\": [1, 2]}\r\n--lc4j--\r\n";
        Part part = MultipartReader.open(stream(body), Optional.of("lc4j")).firstFilePart().orElseThrow();
        assertThat(part.contentType()).contains("application/json");
        assertThat(text(part)).isEqualTo("{\"k\": [1, 2]}");
    }

    @Test
    void boundaryIsSniffedWhenTheContentTypeHasNone() throws IOException {
        // Semantic Kernel Python: multipart body under `Content-Type: application/json`
        String body = "--a1b2c3d4e5f6\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sk.txt\"\r\n\r\n"
                + "semantic\r\n--a1b2c3d4e5f6--\r\n";
        assertThat(MultipartReader.boundaryOf("application/json")).isEmpty();
        for (Function<byte[], InputStream> feed : feeds()) {
            MultipartReader reader = MultipartReader.open(feed.apply(latin1(body)), Optional.empty());
            Part part = reader.nextPart().orElseThrow();
            assertThat(part.filename()).contains("sk.txt");
            assertThat(text(part)).isEqualTo("semantic");
            assertThat(reader.nextPart()).isEmpty();
        }
    }

    @Test
    void anEmptyBoundaryIsSniffedToo() throws IOException {
        String body = "--zz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nq\r\n--zz--";
        assertThat(text(MultipartReader.open(stream(body), Optional.of("")).nextPart().orElseThrow())).isEqualTo("q");
    }

    @Test
    void noBoundaryAndNoMultipartBodyIsRejected() {
        assertThatThrownBy(() -> MultipartReader.open(stream("{\"a\":1}"), Optional.empty()))
                .isInstanceOf(MultipartException.class);
        assertThatThrownBy(() -> MultipartReader.open(stream(""), Optional.empty()))
                .isInstanceOf(MultipartException.class);
        assertThatThrownBy(() -> MultipartReader.open(stream("--has space\r\n"), Optional.empty()))
                .isInstanceOf(MultipartException.class);
        assertThatThrownBy(() -> MultipartReader.open(stream("--" + "x".repeat(201) + "\r\n"), Optional.empty()))
                .isInstanceOf(MultipartException.class);
    }

    @Test
    void preambleEpilogueAndTransportPadding() throws IOException {
        String body = "This is the preamble, to be ignored.\r\n--bn is only a prefix\r\n--bnd"
                + " \t\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.txt\"\r\n\r\none\r\n"
                + "--bnd\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\ntwo\r\n"
                + "--bnd--  \r\nThis is the epilogue.\r\n--bnd\r\nnot a part\r\n";
        for (Function<byte[], InputStream> feed : feeds()) {
            MultipartReader reader = MultipartReader.open(feed.apply(latin1(body)), Optional.of("bnd"));
            List<String> seen = new ArrayList<>();
            for (Optional<Part> p = reader.nextPart(); p.isPresent(); p = reader.nextPart()) {
                seen.add(p.get().name() + "=" + text(p.get()));
            }
            assertThat(seen).containsExactly("file=one", "other=two");
        }
    }

    @Test
    void bareLfHeaderLinesAreTolerated() throws IOException {
        String body = "--b\nContent-Disposition: form-data; name=\"file\"; filename=\"lf.txt\"\nContent-Type: text/plain\n\n"
                + "line1\nline2\r\n--b--\n";
        Part part = MultipartReader.open(stream(body), Optional.of("b")).nextPart().orElseThrow();
        assertThat(part.filename()).contains("lf.txt");
        assertThat(part.contentType()).contains("text/plain");
        assertThat(text(part)).isEqualTo("line1\nline2");
    }

    @Test
    void emptyContentAndPartWithoutHeaders() throws IOException {
        String body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"empty\"\r\n\r\n\r\n"
                + "--b\r\n\r\nanonymous\r\n--b--";
        MultipartReader reader = MultipartReader.open(stream(body), Optional.of("b"));
        assertThat(reader.nextPart().orElseThrow().content().readAllBytes()).isEmpty();
        Part bare = reader.nextPart().orElseThrow();
        assertThat(bare.name()).isEmpty();
        assertThat(bare.filename()).isEmpty();
        assertThat(text(bare)).isEqualTo("anonymous");
    }

    @Test
    void filePartAfterAFieldPart() throws IOException {
        String body = "--b\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n/mnt/data/sub\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nFILE\r\n--b--\r\n";
        for (Function<byte[], InputStream> feed : feeds()) {
            Part part = MultipartReader.open(feed.apply(latin1(body)), Optional.of("b")).firstFilePart().orElseThrow();
            assertThat(part.name()).isEqualTo("file");
            assertThat(part.filename()).contains("f.bin");
            assertThat(text(part)).isEqualTo("FILE");
        }
    }

    @Test
    void firstFilePartTakesTheFirstNamedFileOrWithFilename() throws IOException {
        String body = "--b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"u.txt\"\r\n\r\nU\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\n\r\nF\r\n--b--";
        Part part = MultipartReader.open(stream(body), Optional.of("b")).firstFilePart().orElseThrow();
        assertThat(part.filename()).contains("u.txt");
        assertThat(text(part)).isEqualTo("U");
    }

    @Test
    void firstFilePartFallsBackToTheFirstPart() throws IOException {
        String body = "--b\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\nfirst\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nsecond\r\n--b--";
        Part part = MultipartReader.open(stream(body), Optional.of("b")).firstFilePart().orElseThrow();
        assertThat(part.name()).isEqualTo("data");
        assertThat(text(part)).isEqualTo("first");
    }

    @Test
    void aLargeUnnamedFirstPartIsReturnedWholeWithoutScanning() throws IOException {
        byte[] big = new byte[200_000];
        new Random(7).nextBytes(big);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(latin1("--b\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n"));
        body.writeBytes(big);
        body.writeBytes(latin1("\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"late\"\r\n\r\nL\r\n--b--"));
        Part part = MultipartReader.open(new ByteArrayInputStream(body.toByteArray()), Optional.of("b"))
                .firstFilePart().orElseThrow();
        assertThat(part.name()).isEqualTo("data");
        assertThat(part.content().readAllBytes()).isEqualTo(big);
    }

    @Test
    void noPartsAtAll() throws IOException {
        assertThat(MultipartReader.open(stream("--b--\r\n"), Optional.of("b")).firstFilePart()).isEmpty();
        assertThat(MultipartReader.open(stream("preamble\r\n--b--"), Optional.of("b")).nextPart()).isEmpty();
    }

    @Test
    void binaryContentIsExact() throws IOException {
        String boundary = "XyZ123boundary";
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (int i = 0; i < 256; i++) {
            content.write(i);
        }
        for (String tricky : List.of("\r\n--", "\r\n--" + boundary.substring(0, 7), "\r\n--XyZ123boundar\r\n", "\r", "\n",
                "\r\r\n--", "--" + boundary + "\r\n", "\n--" + boundary + "--", "\r\n--" + boundary + "X", "\r\n-",
                "\r\n--" + boundary + "-x")) {
            content.writeBytes(latin1(tricky));
            content.write(0);
            content.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE});
        }
        content.writeBytes(latin1("\r\n--" + boundary.substring(0, 10) + "\r"));
        byte[] expected = content.toByteArray();

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(latin1("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bin\"\r\n\r\n"));
        body.writeBytes(expected);
        body.writeBytes(latin1("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"second\"\r\n\r\n"));
        body.writeBytes(expected);
        body.writeBytes(latin1("\r\n--" + boundary + "--\r\n"));

        for (Function<byte[], InputStream> feed : feeds()) {
            MultipartReader reader = MultipartReader.open(feed.apply(body.toByteArray()), Optional.of(boundary));
            assertThat(reader.nextPart().orElseThrow().content().readAllBytes()).isEqualTo(expected);
            assertThat(readByteByByte(reader.nextPart().orElseThrow().content())).isEqualTo(expected);
            assertThat(reader.nextPart()).isEmpty();
        }
    }

    @Test
    void oddReadSizesAgainstOddChunks() throws IOException {
        byte[] expected = new byte[100_000];
        new Random(3).nextBytes(expected);
        for (int i = 0; i < expected.length; i += 97) {
            expected[i] = '\r';
            if (i + 1 < expected.length) {
                expected[i + 1] = '\n';
            }
        }
        byte[] body = concat(latin1("--qq\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"), expected,
                latin1("\r\n--qq--"));
        for (int seed = 0; seed < 20; seed++) {
            Random sizes = new Random(seed);
            InputStream content = MultipartReader.open(new ChunkyStream(body, seed), Optional.of("qq"))
                    .nextPart().orElseThrow().content();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] chunk = new byte[10_000];
            int n;
            while ((n = content.read(chunk, 3, 1 + sizes.nextInt(chunk.length - 3))) >= 0) {
                got.write(chunk, 3, n);
            }
            assertThat(got.toByteArray()).isEqualTo(expected);
        }
    }

    @Test
    void aFiftyMegabytePartIsStreamedNotHeld() throws IOException {
        long size = 50L * 1024 * 1024;
        byte[] head = latin1("--" + UNDICI + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n");
        byte[] tail = latin1("\r\n--" + UNDICI + "--\r\n");
        GeneratedBody body = new GeneratedBody(head, size, tail);

        Part part = MultipartReader.open(body, Optional.of(UNDICI)).firstFilePart().orElseThrow();
        CRC32 crc = new CRC32();
        long total = 0;
        long furthestAhead = 0;
        byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = part.content().read(chunk)) >= 0) {
            crc.update(chunk, 0, n);
            total += n;
            furthestAhead = Math.max(furthestAhead, body.served() - head.length - total);
        }
        assertThat(total).isEqualTo(size);
        assertThat(crc.getValue()).isEqualTo(GeneratedBody.contentCrc(size));
        // What was taken from the body but not yet handed out is all the reader can be holding.
        assertThat(furthestAhead).isLessThan(16 * 1024);
    }

    @Test
    void truncatedBodiesAreRejected() throws IOException {
        String start = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t\"\r\n\r\n";
        // content cut off: reading it fails, after handing out what did arrive
        InputStream content = MultipartReader.open(stream(start + "partial content"), Optional.of("b"))
                .nextPart().orElseThrow().content();
        assertThatThrownBy(content::readAllBytes).isInstanceOf(MultipartException.class)
                .hasMessageContaining("ended before its closing boundary");

        for (String cut : List.of(start + "x\r\n--b", start + "x\r\n--b-", start + "x\r\n--b\r\n",
                start + "x\r\n--b\r\nContent-Dispos", start.substring(0, 20), "", "preamble only")) {
            for (Function<byte[], InputStream> feed : feeds()) {
                assertThatThrownBy(() -> {
                    MultipartReader reader = MultipartReader.open(feed.apply(latin1(cut)), Optional.of("b"));
                    for (Optional<Part> p = reader.nextPart(); p.isPresent(); p = reader.nextPart()) {
                        p.get().content().readAllBytes();
                    }
                }).as(cut).isInstanceOf(MultipartException.class).hasMessageContaining("ended before its closing boundary");
            }
        }
    }

    @Test
    void malformedBodiesAreRejected() throws IOException {
        String huge = "--b\r\nContent-Disposition: form-data; name=\"file\"\r\nX-Pad: " + "p".repeat(17 * 1024) + "\r\n\r\nx\r\n--b--";
        assertThatThrownBy(() -> MultipartReader.open(stream(huge), Optional.of("b")).nextPart())
                .isInstanceOf(MultipartException.class).hasMessageContaining("16 KiB");
        assertThatThrownBy(() -> MultipartReader.open(stream("--b\r\nno colon here\r\n\r\nx\r\n--b--"), Optional.of("b")).nextPart())
                .isInstanceOf(MultipartException.class);
        assertThatThrownBy(() -> MultipartReader.open(stream("--b junk\r\n\r\nx\r\n--b--"), Optional.of("b")).nextPart())
                .isInstanceOf(MultipartException.class);
    }

    @Test
    void boundaryOfVariants() {
        assertThat(MultipartReader.boundaryOf("multipart/form-data; boundary=\"----abc\"")).contains("----abc");
        assertThat(MultipartReader.boundaryOf("multipart/form-data; boundary=----abc")).contains("----abc");
        assertThat(MultipartReader.boundaryOf("multipart/form-data; BOUNDARY=abc")).contains("abc");
        assertThat(MultipartReader.boundaryOf("Multipart/Form-Data;Boundary=abc;charset=utf-8")).contains("abc");
        assertThat(MultipartReader.boundaryOf("multipart/form-data; charset=\"a;boundary=no\"; boundary=yes")).contains("yes");
        assertThat(MultipartReader.boundaryOf("multipart/form-data; boundary = \"with space\" ")).contains("with space");
        assertThat(MultipartReader.boundaryOf("multipart/form-data; boundary=\"\"")).isEmpty();
        assertThat(MultipartReader.boundaryOf("multipart/form-data")).isEmpty();
        assertThat(MultipartReader.boundaryOf("application/json")).isEmpty();
        assertThat(MultipartReader.boundaryOf(null)).isEmpty();
    }

    @Test
    void nextPartSkipsWhatWasNotRead() throws IOException {
        String body = "--b\r\nContent-Disposition: form-data; name=\"one\"\r\n\r\n" + "1".repeat(50_000) + "\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"two\"\r\n\r\n" + "2".repeat(30_000) + "\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"three\"\r\n\r\nthree\r\n--b--";
        for (Function<byte[], InputStream> feed : feeds()) {
            MultipartReader reader = MultipartReader.open(feed.apply(latin1(body)), Optional.of("b"));
            Part one = reader.nextPart().orElseThrow();
            Part two = reader.nextPart().orElseThrow();
            assertThat(two.content().readNBytes(10)).isEqualTo(latin1("2".repeat(10)));
            Part three = reader.nextPart().orElseThrow();
            assertThat(List.of(one.name(), two.name(), three.name())).containsExactly("one", "two", "three");
            // streams of parts left behind end rather than read into later parts
            assertThat(one.content().read()).isEqualTo(-1);
            assertThat(two.content().read(new byte[8])).isEqualTo(-1);
            assertThat(text(three)).isEqualTo("three");
            assertThat(reader.nextPart()).isEmpty();
        }
    }

    // --- helpers ---

    private static List<Function<byte[], InputStream>> feeds() {
        List<Function<byte[], InputStream>> feeds = new ArrayList<>();
        feeds.add(ByteArrayInputStream::new);
        feeds.add(OneByteStream::new);
        for (int seed = 1; seed <= 10; seed++) {
            int s = seed;
            feeds.add(b -> new ChunkyStream(b, s));
        }
        return feeds;
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(latin1(s));
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(Part part) throws IOException {
        return new String(part.content().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... arrays) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] a : arrays) {
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    private static byte[] readByteByByte(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            out.write(c);
        }
        return out.toByteArray();
    }

    /** Hands out one byte per read, like a slow connection, so every delimiter arrives split. */
    private static final class OneByteStream extends FilterInputStream {
        OneByteStream(byte[] data) {
            super(new ByteArrayInputStream(data));
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1));
        }
    }

    /** Hands out random small chunks (1 to 40 bytes). */
    private static final class ChunkyStream extends FilterInputStream {
        private final Random random;

        ChunkyStream(byte[] data, long seed) {
            super(new ByteArrayInputStream(data));
            random = new Random(seed);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1 + random.nextInt(40)));
        }
    }

    /** A body whose content is generated on the fly, so no copy of it exists anywhere. */
    private static final class GeneratedBody extends InputStream {
        private final byte[] head;
        private final long size;
        private final byte[] tail;
        private long served;

        GeneratedBody(byte[] head, long size, byte[] tail) {
            this.head = head;
            this.size = size;
            this.tail = tail;
        }

        /** Byte {@code i} of the content: varied, with CR, LF and '-' all common. */
        static byte contentByte(long i) {
            long x = i * 0x9E3779B97F4A7C15L;
            x ^= x >>> 29;
            return (byte) (x % 7 == 0 ? "\r\n-".charAt((int) (x & 3) % 3) : x >>> 40);
        }

        static long contentCrc(long size) {
            CRC32 crc = new CRC32();
            byte[] chunk = new byte[64 * 1024];
            for (long i = 0; i < size; ) {
                int n = (int) Math.min(chunk.length, size - i);
                for (int k = 0; k < n; k++) {
                    chunk[k] = contentByte(i + k);
                }
                crc.update(chunk, 0, n);
                i += n;
            }
            return crc.getValue();
        }

        long served() {
            return served;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            long total = head.length + size + tail.length;
            if (served >= total) {
                return -1;
            }
            int n = (int) Math.min(len, total - served);
            for (int k = 0; k < n; k++) {
                long p = served + k;
                if (p < head.length) {
                    b[off + k] = head[(int) p];
                } else if (p < head.length + size) {
                    b[off + k] = contentByte(p - head.length);
                } else {
                    b[off + k] = tail[(int) (p - head.length - size)];
                }
            }
            served += n;
            return n;
        }
    }
}
