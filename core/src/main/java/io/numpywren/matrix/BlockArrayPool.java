package io.numpywren.matrix;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Block-sized arrays given back by their last user, handed out again by {@link Block#copy},
 * {@link Block#zeros} and the workers' reads. A fresh 8 MiB array cost about 6 ms on the
 * reference VM (the JVM zeroes it and, while the heap grows, the kernel faults its pages in),
 * against 0.3 ms to overwrite one already touched: a seventh of a 1024-block GEMM per task.
 *
 * <p>Process-wide and thread-safe; it holds at most {@link #capacityBytes()} (an eighth of the
 * maximum heap) and drops what would exceed it. Whoever gives an array back promises that
 * nothing refers to it any more: a pooled array is handed to exactly one new owner.
 */
public final class BlockArrayPool {
    /** Arrays shorter than this (1 MiB) are cheap to allocate and are not kept. */
    public static final int MIN_LENGTH = 128 * 1024;

    private static final BlockArrayPool SHARED = new BlockArrayPool(Runtime.getRuntime().maxMemory() / 8);

    private final long capacityBytes;
    private final Map<Integer, ArrayDeque<double[]>> byLength = new HashMap<>();
    private long heldBytes;

    public BlockArrayPool(long capacityBytes) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("capacityBytes must not be negative, got " + capacityBytes);
        }
        this.capacityBytes = capacityBytes;
    }

    /** The pool every worker, kernel and in-memory store of this process shares. */
    public static BlockArrayPool shared() {
        return SHARED;
    }

    /** An array of exactly {@code length} values, recycled when one is held; its contents are arbitrary. */
    public double[] take(int length) {
        double[] recycled = takeHeld(length);
        return recycled != null ? recycled : new double[length];
    }

    /** An array of exactly {@code length} zeros. */
    public double[] takeZeroed(int length) {
        double[] recycled = takeHeld(length);
        if (recycled == null) {
            return new double[length];
        }
        Arrays.fill(recycled, 0.0);
        return recycled;
    }

    private double[] takeHeld(int length) {
        // Small blocks (the scheduler's 1x1 ones among them) never touch the lock.
        return length < MIN_LENGTH ? null : takeHeldLarge(length);
    }

    private synchronized double[] takeHeldLarge(int length) {
        ArrayDeque<double[]> held = byLength.get(length);
        double[] a = held == null ? null : held.pollFirst();
        if (a != null) {
            heldBytes -= bytes(a);
        }
        return a;
    }

    /**
     * Keeps {@code array} for a later {@link #take}, unless it is small or the pool is full. The
     * caller must hold no reference to it afterwards, nor may anyone else. Give each array once:
     * giving one that is still held keeps it once, but if another thread took it in between, it
     * would be handed out twice.
     */
    public void give(double[] array) {
        if (array.length >= MIN_LENGTH) {
            keep(array);
        }
    }

    private synchronized void keep(double[] array) {
        if (heldBytes + bytes(array) > capacityBytes) {
            return;
        }
        ArrayDeque<double[]> held = byLength.computeIfAbsent(array.length, n -> new ArrayDeque<>());
        for (double[] a : held) {
            if (a == array) {
                return;
            }
        }
        held.addFirst(array);
        heldBytes += bytes(array);
    }

    public synchronized long heldBytes() {
        return heldBytes;
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    private static long bytes(double[] a) {
        return (long) a.length * Double.BYTES;
    }
}
