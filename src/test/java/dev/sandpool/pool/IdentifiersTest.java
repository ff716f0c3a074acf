package dev.sandpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Identifiers are exactly what Azure's spec allows: its character class, 4 to 128 of them. */
class IdentifiersTest {
    /** The spec's own wording of the rule, as a regex. */
    private static final Pattern SPEC = Pattern.compile("[a-zA-Z0-9_|}{\\[\\]:\";'<>?/.,@#$%^&*()\\-+=!~`]{4,128}");

    @Test
    void everyCharacterIsJudgedAsTheSpecJudgesIt() {
        for (char c = 0; c < 0x3000; c++) {
            String candidate = "abc" + c;
            assertThat(accepted(candidate)).as("U+%04X", (int) c).isEqualTo(SPEC.matcher(candidate).matches());
        }
    }

    @Test
    void lengthsFromFourTo128() {
        assertThat(accepted("abc")).isFalse();
        assertThat(accepted("abcd")).isTrue();
        assertThat(accepted("a".repeat(128))).isTrue();
        assertThat(accepted("a".repeat(129))).isFalse();
        assertThatThrownBy(() -> Identifiers.validate("")).hasMessageContaining("'identifier' is required");
        assertThatThrownBy(() -> Identifiers.validate(null)).hasMessageContaining("'identifier' is required");
    }

    private static boolean accepted(String identifier) {
        try {
            Identifiers.validate(identifier);
            return true;
        } catch (InvalidIdentifierException e) {
            return false;
        }
    }
}
