package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The DNS reading the egress gate does on messages from sandboxed code and from upstream resolvers. */
class DnsMessageTest {
    // a query for Api.Example.com, type A, id 0x1234, recursion desired
    private static final byte[] QUERY = HexFormat.of().parseHex(
            "123401000001000000000000" + "03417069074578616d706c6503636f6d00" + "00010001");
    // its answer: a CNAME (compressed owner name) to cdn.example.com, then an A and an AAAA for that
    private static final byte[] ANSWER = HexFormat.of().parseHex(
            "123481800001000300000000" + "03417069074578616d706c6503636f6d00" + "00010001"
                    + "c00c0005000100000e10000603636e64c010"
                    + "c02d000100010000003c0004cb007107"
                    + "c02d001c000100000e10001020010db8000000000000000000000001");

    @Test
    void theQuestionIsReadInLowerCaseAndAnswersGiveEveryAddress() throws Exception {
        assertThat(DnsMessage.questionName(QUERY, QUERY.length)).contains("api.example.com");
        assertThat(DnsMessage.answerAddresses(ANSWER, ANSWER.length))
                .containsExactly(InetAddress.getByName("203.0.113.7"), InetAddress.getByName("2001:db8::1"));
        // an answer is not a query
        assertThat(DnsMessage.questionName(ANSWER, ANSWER.length)).isEmpty();
    }

    @Test
    void aRefusalEchoesTheIdAndQuestionWithNoRecords() {
        byte[] refusal = DnsMessage.nameError(QUERY, QUERY.length);
        assertThat(HexFormat.of().formatHex(refusal)).isEqualTo(
                "123481830001000000000000" + "03417069074578616d706c6503636f6d00" + "00010001");
    }

    @Test
    void wildcardsMatchNamesBelowTheDomainOnly() {
        List<String> domains = List.of("*.example.com", "pypi.org");
        assertThat(DnsGate.matches(domains, "api.example.com")).isTrue();
        assertThat(DnsGate.matches(domains, "a.b.example.com")).isTrue();
        assertThat(DnsGate.matches(domains, "example.com")).isFalse();
        assertThat(DnsGate.matches(domains, "badexample.com")).isFalse();
        assertThat(DnsGate.matches(domains, "pypi.org")).isTrue();
        assertThat(DnsGate.matches(domains, "files.pypi.org")).isFalse();
        assertThat(DnsGate.matches(domains, "pypi.org.evil.net")).isFalse();
    }

    @Test
    void pointerLoopsTruncationAndGarbageGiveNothingAndNeverThrow() {
        byte[] loop = HexFormat.of().parseHex("123401000001000000000000" + "c00c" + "00010001");
        assertThat(DnsMessage.questionName(loop, loop.length)).isEmpty();
        byte[] answerLoop = HexFormat.of().parseHex("123481800000000100000000" + "c00c000100010000003c0004cb007107");
        assertThat(DnsMessage.answerAddresses(answerLoop, answerLoop.length)).isEmpty();
        for (int cut = 0; cut < ANSWER.length; cut++) {
            DnsMessage.questionName(QUERY, Math.min(cut, QUERY.length));
            assertThat(DnsMessage.answerAddresses(ANSWER, cut)).hasSizeLessThanOrEqualTo(2);
        }
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[random.nextInt(64)];
            random.nextBytes(junk);
            if (random.nextBoolean() && junk.length > 12) {
                System.arraycopy(ANSWER, 0, junk, 0, 12);
            }
            DnsMessage.questionName(junk, junk.length);
            assertThat(DnsMessage.answerAddresses(junk, junk.length)).hasSizeLessThanOrEqualTo(junk.length / 4);
        }
    }
}
