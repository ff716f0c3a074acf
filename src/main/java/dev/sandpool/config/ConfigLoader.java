package dev.sandpool.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads YAML into {@link SandpoolConfig}, strictly: an unknown key fails with its name and place. */
public final class ConfigLoader {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(tools.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .addModule(new SimpleModule().addDeserializer(DataSize.class, new DataSizeDeserializer())
                    .addSerializer(DataSize.class, new tools.jackson.databind.ser.std.ToStringSerializer(DataSize.class)))
            .build();

    private ConfigLoader() {}

    public static SandpoolConfig load(Path file) {
        try {
            return parse(Files.readString(file)).validated();
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses without validating, so that command-line overrides can be applied first. */
    public static SandpoolConfig parse(String yaml) {
        if (yaml.isBlank()) {
            return new SandpoolConfig(null, null, null, null, null, null);
        }
        try {
            SandpoolConfig config = YAML.readValue(yaml, SandpoolConfig.class);
            return config == null ? new SandpoolConfig(null, null, null, null, null, null) : config;
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("unknown key '" + e.getPropertyName() + "' at " + where(e)
                    + "; known keys here: " + e.getKnownPropertyIds(), e);
        } catch (JacksonException e) {
            throw new ConfigException("invalid config at " + where(e) + ": " + e.getOriginalMessage(), e);
        }
    }

    /** One pool, as stored by the server (the same YAML keys as in the config file). */
    public static PoolConfig parsePool(String yaml) {
        try {
            return YAML.readValue(yaml, PoolConfig.class);
        } catch (JacksonException e) {
            throw new ConfigException("invalid stored pool: " + e.getOriginalMessage(), e);
        }
    }

    public static String writePool(PoolConfig pool) {
        return YAML.writeValueAsString(pool);
    }

    private static String where(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        String location = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
        return (path.isEmpty() ? "top level" : path.toString()) + location;
    }
}
