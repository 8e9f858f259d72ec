package io.numpywren.task;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One task as it travels to a worker: which kernel to run on which stored blocks, and where
 * to write the results. It carries block keys, never block data, so it stays small enough
 * for any function invocation (Lambda's limit is 6 MB).
 *
 * @param version         wire format version, {@link #VERSION}
 * @param jobId           the job this task belongs to
 * @param taskId          the task's identity within the job (statement and loop values)
 * @param attempt         1 for the first dispatch, one more for each re-dispatch
 * @param namespace       the job's namespace: every output key must lie inside it
 * @param inputNamespaces namespaces of the job's input matrices, which inputs may also come from
 * @param kernel          kernel name
 * @param arguments       scalar kernel arguments, each with an explicit type
 * @param inputs          keys of the input blocks, in argument order
 * @param outputs         keys and storage dtypes of the output blocks, in output order
 */
public record TaskSpec(int version, String jobId, String taskId, int attempt, String namespace,
                       List<String> inputNamespaces, String kernel, Map<String, TypedValue> arguments,
                       List<String> inputs, List<OutputBlock> outputs) {
    public static final int VERSION = 1;

    public TaskSpec {
        inputNamespaces = inputNamespaces == null ? List.of() : List.copyOf(inputNamespaces);
        arguments = arguments == null ? Map.of() : Map.copyOf(arguments);
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    /** An output block: where to write it and how to store it. */
    public record OutputBlock(String key, String dtype) {
        public OutputBlock {
            Objects.requireNonNull(key, "key");
            dtype = dtype == null ? "float64" : dtype;
        }
    }

    /** A scalar with its type spelled out, so nothing is inferred from JSON number formats. */
    public record TypedValue(String type, String value) {
        public static TypedValue of(Object v) {
            if (v instanceof Boolean b) {
                return new TypedValue("bool", b.toString());
            }
            if (v instanceof Integer || v instanceof Long) {
                return new TypedValue("int", v.toString());
            }
            if (v instanceof Double d) {
                return new TypedValue("real", Double.toString(d));
            }
            throw new IllegalArgumentException("a kernel argument must be a boolean, integer or real, got "
                    + (v == null ? "null" : v.getClass().getSimpleName()));
        }

        /** The value as Boolean, Long or Double; a malformed value is an IllegalArgumentException. */
        public Object toObject() {
            if (type == null || value == null) {
                throw new IllegalArgumentException("typed value needs both 'type' and 'value'");
            }
            return switch (type) {
                case "bool" -> switch (value) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException("bool value must be true or false, got '" + value + "'");
                };
                case "int" -> Long.parseLong(value);
                case "real" -> Double.parseDouble(value);
                default -> throw new IllegalArgumentException("unknown value type '" + type + "' (bool, int, real)");
            };
        }
    }
}
