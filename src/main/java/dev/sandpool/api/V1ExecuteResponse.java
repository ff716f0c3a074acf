package dev.sandpool.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.sandpool.interpreter.ExecutionResult;
import tools.jackson.databind.JsonNode;

/**
 * V1's execute response. The {@code $id} fields are Newtonsoft reference ids that Azure emits; no
 * client reads them, but they are kept for byte-level fidelity.
 */
@JsonPropertyOrder({"$id", "properties"})
public record V1ExecuteResponse(@JsonProperty("$id") String id, Properties properties) {

    @JsonPropertyOrder({"$id", "status", "stdout", "stderr", "result", "executionTimeInMilliseconds"})
    public record Properties(@JsonProperty("$id") String id, String status, String stdout, String stderr,
                             @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode result,
                             long executionTimeInMilliseconds) {}

    public static V1ExecuteResponse of(ExecutionResult result) {
        return new V1ExecuteResponse("1", new Properties("2", result.success() ? "Success" : "Failure",
                result.stdout(), result.stderr(), result.result(), result.durationMillis()));
    }
}
