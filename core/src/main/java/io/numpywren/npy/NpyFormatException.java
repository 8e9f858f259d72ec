package io.numpywren.npy;

import java.nio.file.Path;

/** A file that is not a .npy file this package can import; the message names the file and the problem. */
public class NpyFormatException extends IllegalArgumentException {
    private final transient Path file;
    private final String problem;

    public NpyFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    /** The problem alone, without the file name. */
    public String problem() {
        return problem;
    }
}
