package dev.sandpool.config;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum AuthMode {
    @JsonProperty("none") NONE,
    @JsonProperty("api-key") API_KEY,
    @JsonProperty("jwt") JWT
}
