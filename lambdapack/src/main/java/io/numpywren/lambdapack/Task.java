package io.numpywren.lambdapack;

import java.util.Arrays;

/**
 * One node of a program's implicit DAG: a kernel-call statement and the values of its
 * enclosing loop variables (outer first). Immutable; equal when both parts are equal.
 */
public final class Task implements Comparable<Task> {
    private final int statement;
    private final long[] loopValues;
    private final int hash;

    public Task(int statement, long[] loopValues) {
        this.statement = statement;
        this.loopValues = loopValues.clone();
        this.hash = 31 * statement + Arrays.hashCode(loopValues);
    }

    /** Index of the kernel call in the program, in textual order. */
    public int statement() {
        return statement;
    }

    public long[] loopValues() {
        return loopValues.clone();
    }

    long loopValue(int depth) {
        return loopValues[depth];
    }

    int depth() {
        return loopValues.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Task t && t.hash == hash && t.statement == statement && Arrays.equals(t.loopValues, loopValues);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** Statement order, then loop values lexicographically: a deterministic order for reports and tests. */
    @Override
    public int compareTo(Task o) {
        int c = Integer.compare(statement, o.statement);
        return c != 0 ? c : Arrays.compare(loopValues, o.loopValues);
    }

    @Override
    public String toString() {
        return "#" + statement + Arrays.toString(loopValues);
    }
}
