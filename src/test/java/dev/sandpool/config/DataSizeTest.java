package dev.sandpool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DataSizeTest {
    @Test
    void parsesBinaryDecimalAndFractionalUnits() {
        assertThat(DataSize.parse("512Mi").bytes()).isEqualTo(512L << 20);
        assertThat(DataSize.parse("1Gi").bytes()).isEqualTo(1L << 30);
        assertThat(DataSize.parse("0.5Gi").bytes()).isEqualTo(512L << 20);
        assertThat(DataSize.parse("64M").bytes()).isEqualTo(64_000_000L);
        assertThat(DataSize.parse("4096").bytes()).isEqualTo(4096L);
        assertThat(DataSize.parse("2ki").bytes()).isEqualTo(2048L);
    }

    @Test
    void printsTheShortestExactBinaryForm() {
        assertThat(DataSize.parse("0.5Gi")).hasToString("512Mi");
        assertThat(DataSize.parse("1Gi")).hasToString("1Gi");
        assertThat(DataSize.ofBytes(1000)).hasToString("1000");
    }

    @Test
    void rejectsWhatIsNotASize() {
        assertThatThrownBy(() -> DataSize.parse("lots")).hasMessageContaining("'lots' is not a size");
        assertThatThrownBy(() -> DataSize.parse("-1Mi")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DataSize.parse("0.3")).hasMessageContaining("not a whole number of bytes");
    }
}
