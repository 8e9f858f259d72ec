package io.numpywren.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A store in a local directory: one file per key. A put writes a temporary file beside the
 * target and hard-links it to the target, which appears whole and only if no file is there
 * (a replace renames it over the target instead), so readers never see half a block.
 */
public final class FileSystemBlockStore implements BlockStore {
    /** Temporary files start with this; keys cannot, since their segments never start with '#'. */
    private static final String TEMP_PREFIX = "#tmp-";
    /**
     * How often a put recreates its directory when a concurrent delete removed it as it became
     * empty. Each retry loses only to another sibling's delete in between, but with many threads
     * on two busy cores that happened 16 times in a row.
     */
    private static final int MAX_PUT_ATTEMPTS = 100;

    private final Path root;

    public FileSystemBlockStore(Path root) {
        try {
            Files.createDirectories(root);
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new StoreException("cannot open block store directory " + root + ": " + why(e), e);
        }
    }

    /** What went wrong, in words: the JDK's messages for these are often the path alone. */
    private static String why(IOException e) {
        if (e instanceof java.nio.file.FileAlreadyExistsException f) {
            return (f.getFile() == null ? "a part of the path" : f.getFile()) + " exists and is not a directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return "permission denied" + (a.getFile() == null ? "" : " on " + a.getFile());
        }
        if (e instanceof java.nio.file.NotDirectoryException n) {
            return n.getFile() + " is not a directory";
        }
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return "it does not exist and cannot be made there" + (n.getFile() == null ? "" : " (" + n.getFile() + ")");
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    public Path root() {
        return root;
    }

    private Path resolve(String key) {
        BlockKeys.validate(key);
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root)) {
            throw new InvalidKeyException(key, "resolves outside the store root");
        }
        return path;
    }

    /**
     * A symbolic link inside the root could point elsewhere: checks that the deepest existing
     * ancestor of {@code dir} (itself when it exists) really lies inside the root, before any
     * directory is created or any file deleted below it.
     */
    private void checkInsideRoot(String key, Path dir) throws IOException {
        Path existing = dir;
        while (existing != null && !existing.equals(root) && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null || !existing.toRealPath().startsWith(root)) {
            throw new InvalidKeyException(key, "its directory resolves outside the store root");
        }
    }

    @Override
    public void put(String key, ByteBuffer bytes) {
        write(key, bytes, false);
    }

    @Override
    public void replace(String key, ByteBuffer bytes) {
        write(key, bytes, true);
    }

    private void write(String key, ByteBuffer bytes, boolean replace) {
        Path target = resolve(key);
        Path dir = target.getParent();
        Path temp = null;
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    checkInsideRoot(key, dir);
                    Files.createDirectories(dir);
                    if (!dir.toRealPath().startsWith(root)) {
                        throw new InvalidKeyException(key, "its directory resolves outside the store root");
                    }
                    temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
                    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                        ByteBuffer view = bytes.duplicate();
                        while (view.hasRemaining()) {
                            channel.write(view);
                        }
                    }
                    break;
                } catch (NoSuchFileException | FileAlreadyExistsException e) {
                    // A concurrent delete removed the directory as it became empty (createDirectories
                    // reports that as "already exists" when the directory vanishes while it checks):
                    // make it again. Once the temporary file exists the directory is not empty and stays.
                    temp = null;
                    // Only an object (a regular file or link) where a directory must go is a real
                    // conflict; a directory that vanished, or vanished and came back, is a race to retry.
                    boolean raced = e instanceof NoSuchFileException || e.getFile() == null
                            || !(Files.isRegularFile(Path.of(e.getFile()), LinkOption.NOFOLLOW_LINKS)
                            || Files.isSymbolicLink(Path.of(e.getFile())));
                    if (!raced || attempt == MAX_PUT_ATTEMPTS) {
                        throw e;
                    }
                    Thread.yield(); // let the deleting thread finish before making the directory again
                }
            }
            if (replace) {
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new StoreException("the file system under " + root + " cannot rename atomically", e);
                }
                temp = null;
            } else {
                // A hard link appears whole or not at all and, unlike rename, never replaces the
                // target: that makes it the file system's put-if-absent. The temporary name is then
                // removed (in finally).
                try {
                    Files.createLink(target, temp);
                } catch (FileAlreadyExistsException e) {
                    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        throw e; // keys below this one exist: not a block, reported as before
                    }
                    throw new BlockExistsException(key, description());
                } catch (UnsupportedOperationException e) {
                    throw new StoreException("the file system under " + root
                            + " has no hard links, which the file store needs to write blocks once", e);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot write block '" + key + "' to " + description() + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write already failed; that error is the one to report
                }
            }
        }
    }

    @Override
    public ByteBuffer get(String key) {
        Path path = resolve(key);
        try (FileChannel channel = openForReading(key, path)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new StoreException("block '" + key + "' is " + size + " bytes, more than one buffer holds");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new StoreException("block '" + key + "' was truncated while reading");
                }
            }
            buffer.flip();
            return buffer.asReadOnlyBuffer();
        } catch (NoSuchFileException e) {
            throw new BlockNotFoundException(key, description());
        } catch (IOException e) {
            if (!Files.isRegularFile(path)) {
                // A directory (only a prefix of other keys) or a path below an object: no object.
                throw new BlockNotFoundException(key, description());
            }
            throw new StoreException("cannot read block '" + key + "' from " + description() + ": " + e, e);
        }
    }

    /** Opens an object for reading without following a symbolic link out of the root. */
    private FileChannel openForReading(String key, Path path) throws IOException {
        checkInsideRoot(key, path.getParent());
        return FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public boolean exists(String key) {
        Path path = resolve(key);
        try {
            checkInsideRoot(key, path.getParent());
        } catch (IOException e) {
            throw new StoreException("cannot check block '" + key + "' in " + description() + ": " + e, e);
        }
        return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public boolean delete(String key) {
        Path path = resolve(key);
        try {
            checkInsideRoot(key, path.getParent());
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                return false; // only a prefix of other keys, not an object
            }
            boolean existed = Files.deleteIfExists(path);
            removeEmptyParents(path.getParent());
            return existed;
        } catch (IOException e) {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return false; // e.g. a path below an object: there is nothing to delete
            }
            throw new StoreException("cannot delete block '" + key + "' from " + description() + ": " + e, e);
        }
    }

    @Override
    public void deleteUnfinishedWrites(String prefix) {
        BlockKeys.validatePrefix(prefix);
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("unfinished writes are deleted below a directory: '" + prefix
                    + "' does not end in '/'");
        }
        Path dir = prefix.isEmpty() ? root : resolve(prefix.substring(0, prefix.length() - 1));
        List<Path> temps = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            entries.forEach(temps::add);
        } catch (NoSuchFileException gone) {
            return;
        } catch (IOException e) {
            throw new StoreException("cannot list unfinished writes below '" + prefix + "' in " + description() + ": " + e, e);
        }
        for (Path temp : temps) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                throw new StoreException("cannot delete unfinished write " + temp + " from " + description() + ": " + e, e);
            }
        }
        if (!temps.isEmpty()) {
            removeEmptyParents(dir);
        }
    }

    private void removeEmptyParents(Path dir) {
        while (dir != null && !dir.equals(root) && dir.startsWith(root)) {
            try {
                Files.delete(dir);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return;
            } catch (IOException e) {
                return; // an empty directory left behind costs nothing
            }
            dir = dir.getParent();
        }
    }

    @Override
    public List<String> list(String prefix) {
        BlockKeys.validatePrefix(prefix);
        // Walk only below the deepest directory the prefix names.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash)).normalize();
        if (!start.startsWith(root) || !Files.isDirectory(start)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(start)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith(TEMP_PREFIX))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(k -> k.startsWith(prefix))
                    .forEach(keys::add);
        } catch (UncheckedIOException e) {
            // A directory removed by a concurrent delete while walking: list again.
            if (e.getCause() instanceof NoSuchFileException) {
                return list(prefix);
            }
            throw new StoreException("cannot list '" + prefix + "' in " + description() + ": " + e.getCause(), e);
        } catch (NoSuchFileException e) {
            return list(prefix); // the start directory was removed by a concurrent delete
        } catch (IOException e) {
            throw new StoreException("cannot list '" + prefix + "' in " + description() + ": " + e, e);
        }
        Collections.sort(keys);
        return keys;
    }

    @Override
    public java.util.OptionalLong capacityBytes() {
        try {
            return java.util.OptionalLong.of(Files.getFileStore(root).getUsableSpace());
        } catch (IOException e) {
            return java.util.OptionalLong.empty();
        }
    }

    @Override
    public String description() {
        return "file-system store at " + root;
    }
}
