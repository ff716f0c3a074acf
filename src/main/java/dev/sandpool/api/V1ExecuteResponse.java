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

    /**
     * Legacy {@code python/execute}: old SK .NET reads the fields at the top level; {@code properties}
     * is kept too, for callers that look there.
     */
    public static java.util.Map<String, Object> legacy(ExecutionResult result) {
        Properties p = of(result).properties();
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("$id", "1");
        body.put("status", p.status());
        body.put("stdout", p.stdout());
        body.put("stderr", p.stderr());
        body.put("result", p.result());
        body.put("executionTimeInMilliseconds", p.executionTimeInMilliseconds());
        body.put("properties", new Properties("2", p.status(), p.stdout(), p.stderr(), p.result(), p.executionTimeInMilliseconds()));
        return body;
    }

    public static V1ExecuteResponse of(ExecutionResult result) {
        return new V1ExecuteResponse("1", new Properties("2", result.success() ? "Success" : "Failure",
                result.stdout(), result.stderr(), result.result(), result.durationMillis()));
    }
}
