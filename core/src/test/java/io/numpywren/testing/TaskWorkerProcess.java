package io.numpywren.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskExecutor;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A worker in a JVM of its own: runs the task specs it reads from stdin (one JSON document a line)
 * against a file-system store with {@link TaskExecutor} and the configured kernel provider
 * (auto unless set), as any worker does. Its first line of output says which provider it chose and
 * why each other one did not load; then comes one {@code TaskResult} a line.
 */
public final class TaskWorkerProcess {
    private TaskWorkerProcess() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        LinearAlgebra la = LinearAlgebraProviders.configured();
        Map<String, Object> chosen = new LinkedHashMap<>();
        chosen.put("provider", la.name());
        chosen.put("native", la.isNative());
        chosen.put("implementation", la.implementation());
        chosen.put("unavailable", LinearAlgebraProviders.unavailable());
        out.println(new ObjectMapper().writeValueAsString(chosen));
        TaskExecutor executor = new TaskExecutor(new FileSystemBlockStore(Path.of(args[0])), la, "worker-process");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (!line.isBlank()) {
                out.println(new String(TaskCodec.encode(executor.execute(TaskCodec.decodeSpec(line.getBytes(StandardCharsets.UTF_8)))),
                        StandardCharsets.UTF_8));
            }
        }
    }
}
