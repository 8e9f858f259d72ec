package io.numpywren.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSigner;
import io.numpywren.task.TaskSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an HTTP worker (core's SignedTaskService behind any platform) must refuse, and how: a task
 * unsigned, signed with another key, altered after signing (its output moved onto an input) or not
 * JSON at all gets 403 and a forged-spec error; one signed but writing outside its namespaces
 * gets 400 and a malformed-spec error. Either way the error is deterministic.
 */
public final class ForgedRequests {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ForgedRequests() {
    }

    /**
     * @param task    a genuine task whose only output is {@code output}
     * @param input   a key the altered request moves that output onto
     * @param outside the same task, writing outside its namespaces
     */
    public static void assertRefused(TaskSigner driver, TaskSpec task, String output, String input, TaskSpec outside,
                                     Function<byte[], HttpResponse<byte[]>> post) {
        Map<byte[], Integer> requests = new LinkedHashMap<>();
        requests.put(TaskCodec.encode(task), 403);
        requests.put(TaskSigner.fromBase64(TaskSigner.newKey(), "another").sign(task), 403);
        requests.put(altered(driver.sign(task), output, input), 403);
        requests.put("{not json".getBytes(), 403);
        requests.put(driver.sign(outside), 400);
        for (Map.Entry<byte[], Integer> request : requests.entrySet()) {
            HttpResponse<byte[]> r = post.apply(request.getKey());
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(request.getValue());
            TaskResult result = TaskCodec.decodeResult(r.body());
            assertThat(result.ok()).isFalse();
            assertThat(result.error().kind()).isEqualTo(TaskError.Kind.DETERMINISTIC);
            assertThat(result.error().type()).isEqualTo(request.getValue() == 403 ? "forged-spec" : "malformed-spec");
        }
    }

    private static byte[] altered(byte[] signed, String from, String to) {
        try {
            ObjectNode envelope = (ObjectNode) JSON.readTree(signed);
            envelope.put("signed", envelope.get("signed").asText().replace(from, to));
            return JSON.writeValueAsBytes(envelope);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
