package dev.sandpool.config;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.std.StdDeserializer;

/** Accepts {@code 512Mi} as well as a bare number of bytes. */
final class DataSizeDeserializer extends StdDeserializer<DataSize> {
    DataSizeDeserializer() {
        super(DataSize.class);
    }

    @Override
    public DataSize deserialize(JsonParser p, DeserializationContext ctxt) {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            return DataSize.ofBytes(p.getLongValue());
        }
        try {
            return DataSize.parse(p.getValueAsString(""));
        } catch (IllegalArgumentException e) {
            return (DataSize) ctxt.handleWeirdStringValue(DataSize.class, p.getValueAsString(), e.getMessage());
        }
    }
}
