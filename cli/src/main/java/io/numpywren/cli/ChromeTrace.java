package io.numpywren.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.numpywren.scheduler.JobReport;
import io.numpywren.scheduler.TaskSpan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a job's task spans in Chrome's trace-event JSON, which Perfetto and chrome://tracing
 * open: one track per worker, with each task's read, compute and write phases. The worker's
 * phases are placed to end when the driver received the answer.
 */
final class ChromeTrace {
    private ChromeTrace() {
    }

    static void write(JobReport report, Path file) throws IOException {
        Map<String, Integer> threads = new LinkedHashMap<>();
        List<Map<String, Object>> events = new ArrayList<>();
        for (TaskSpan s : report.spans()) {
            String worker = s.worker() == null ? "unknown" : s.worker();
            Integer tid = threads.get(worker);
            if (tid == null) {
                tid = threads.size() + 1;
                threads.put(worker, tid);
                events.add(Map.of("ph", "M", "name", "thread_name", "pid", 1, "tid", tid, "args", Map.of("name", worker)));
            }
            double start = s.answeredSeconds() - s.readSeconds() - s.computeSeconds() - s.writeSeconds();
            start = Math.max(start, s.dispatchedSeconds());
            Map<String, Object> args = Map.of("task", s.taskId(), "step", s.step(), "attempt", s.attempt());
            events.add(phase("read " + s.kernel(), start, s.readSeconds(), tid, args));
            events.add(phase(s.kernel(), start + s.readSeconds(), s.computeSeconds(), tid, args));
            events.add(phase("write " + s.kernel(), start + s.readSeconds() + s.computeSeconds(), s.writeSeconds(), tid,
                    args));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("traceEvents", events);
        doc.put("displayTimeUnit", "ms");
        doc.put("otherData", Map.of("job", report.jobId(), "algorithm", report.algorithm()));
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        new ObjectMapper().writeValue(file.toFile(), doc);
    }

    private static Map<String, Object> phase(String name, double startSeconds, double seconds, int tid,
                                             Map<String, Object> args) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("ph", "X");
        e.put("ts", startSeconds * 1e6);
        e.put("dur", Math.max(seconds, 0) * 1e6);
        e.put("pid", 1);
        e.put("tid", tid);
        e.put("args", args);
        return e;
    }
}
