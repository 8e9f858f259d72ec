package io.numpywren.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Output paths are checked before any work starts, so that an hour's job does not end in "cannot
 * write", and so that nothing but a regular file is ever replaced: the .npy export renames a
 * temporary file over its target, which as root would replace {@code /dev/null} itself.
 */
final class OutputFiles {
    private OutputFiles() {
    }

    /**
     * Refuses {@code path} (given as {@code option}) unless it is a writable regular file or a new
     * file in an existing, writable directory. Messages name the path as the user gave it.
     */
    static void checkWritable(Path path, String option) {
        if (path == null) {
            return;
        }
        if (path.toString().isBlank()) {
            throw new IllegalArgumentException(option + " needs a file name");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.exists(path)) {
            if (Files.isDirectory(path)) {
                throw new IllegalArgumentException(option + " " + path + " is a directory; give a file name");
            }
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException(option + " " + path + " is not a regular file (a device, pipe, socket "
                        + "or broken link); numpywren only writes regular files");
            }
            if (!Files.isWritable(path)) {
                throw new IllegalArgumentException(option + " " + path + " is not writable");
            }
            return;
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalArgumentException(option + " " + path + ": directory " + parent + " does not exist");
        }
        if (!Files.isWritable(parent)) {
            throw new IllegalArgumentException(option + " " + path + ": directory " + parent + " is not writable");
        }
    }
}
