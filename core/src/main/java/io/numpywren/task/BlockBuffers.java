package io.numpywren.task;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Arrays of a worker thread's finished tasks, kept for the next task's input blocks. Blocks
 * are megabytes; a fresh array of that size costs the JVM a zeroing pass and, while the heap
 * grows, the operating system a page fault per 4 KiB, which made reading a 32 MiB block several
 * times slower than copying it into memory already touched.
 *
 * <p>One instance per thread (not shared), holding at most {@link #MAX_KEPT} arrays.
 */
final class BlockBuffers {
    /** Arrays smaller than this are cheap to allocate and are not kept. */
    static final int MIN_LENGTH = 128 * 1024;
    /** A task reads at most four blocks (a stacked trailing update), plus its outputs. */
    static final int MAX_KEPT = 6;

    private final ArrayDeque<double[]> kept = new ArrayDeque<>();

    /** An array of exactly {@code length} values, reused when one is kept; its contents are arbitrary. */
    double[] take(int length) {
        if (length >= MIN_LENGTH) {
            for (var it = kept.iterator(); it.hasNext(); ) {
                double[] a = it.next();
                if (a.length == length) {
                    it.remove();
                    return a;
                }
            }
        }
        return new double[length];
    }

    /**
     * Keeps the arrays of a finished task's blocks (each array once, however often it was
     * named), dropping the oldest beyond {@link #MAX_KEPT}. The caller must hold no reference
     * to them afterwards.
     */
    void giveBack(List<double[]> arrays) {
        Set<double[]> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        List<double[]> fresh = new ArrayList<>();
        for (double[] a : arrays) {
            if (a.length >= MIN_LENGTH && distinct.add(a) && !containsSame(a)) {
                fresh.add(a);
            }
        }
        for (double[] a : fresh) {
            kept.addFirst(a);
            while (kept.size() > MAX_KEPT) {
                kept.removeLast();
            }
        }
    }

    int size() {
        return kept.size();
    }

    private boolean containsSame(double[] a) {
        for (double[] k : kept) {
            if (k == a) {
                return true;
            }
        }
        return false;
    }
}
