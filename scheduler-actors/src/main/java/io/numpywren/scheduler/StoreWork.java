package io.numpywren.scheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * The store work a job's actor has been asked for and not yet done, carried out one piece at a
 * time off the actor's thread: deletes that pile up while a piece runs go out together in the
 * next one (up to {@code maxBatch} keys, S3's DeleteObjects limit), and a clean-up, which lists
 * and deletes every intermediate anyway, takes the place of the deletes still waiting.
 */
final class StoreWork {
    /** One piece: keys to delete, or a clean-up. */
    record Piece(List<String> deletes, JobCoordinator.CleanUp cleanUp) {
    }

    private final int maxBatch;
    private List<String> deletes = new ArrayList<>();
    private JobCoordinator.CleanUp cleanUp = JobCoordinator.CleanUp.NONE;
    private boolean running;
    private long piecesRun;

    StoreWork(int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("a batch holds at least one key, got " + maxBatch);
        }
        this.maxBatch = maxBatch;
    }

    void add(JobCoordinator.Actions actions) {
        if (actions.cleanUp() != JobCoordinator.CleanUp.NONE) {
            cleanUp = cleanUp.and(actions.cleanUp());
            deletes = new ArrayList<>(); // the clean-up deletes them too
        } else if (cleanUp == JobCoordinator.CleanUp.NONE) {
            deletes.addAll(actions.deletes());
        }
    }

    /** The next piece to run, marking it running; null while one runs or when nothing waits. */
    Piece start() {
        if (running) {
            return null;
        }
        Piece p;
        if (!deletes.isEmpty()) {
            int n = Math.min(maxBatch, deletes.size());
            p = new Piece(List.copyOf(deletes.subList(0, n)), JobCoordinator.CleanUp.NONE);
            deletes = new ArrayList<>(deletes.subList(n, deletes.size()));
        } else if (cleanUp != JobCoordinator.CleanUp.NONE) {
            p = new Piece(List.of(), cleanUp);
            cleanUp = JobCoordinator.CleanUp.NONE;
        } else {
            return null;
        }
        running = true;
        piecesRun++;
        return p;
    }

    /** The running piece is over (done or failed). */
    void finished() {
        running = false;
    }

    /** Nothing runs and nothing waits. */
    boolean idle() {
        return !running && deletes.isEmpty() && cleanUp == JobCoordinator.CleanUp.NONE;
    }

    /** Keys waiting to be deleted. */
    int waitingDeletes() {
        return deletes.size();
    }

    long piecesRun() {
        return piecesRun;
    }
}
