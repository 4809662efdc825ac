package dev.tessera.nn.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writing a file all at once, as Tessera's writers do (safetensors files, checkpoints, training
 * histories): the data goes to a temporary file next to the target, which is then renamed over it,
 * so a reader never sees a half-written file. The temporary file is named {@code .<target
 * name>.<hex digits>.tmp}; a writer that is killed leaves it behind (the trainer removes such
 * leftovers of its checkpoints).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Creates an empty temporary file next to {@code target}, with the permissions of any new file
     * (those the process's umask allows; {@code Files.createTempFile} would make it owner-only), and
     * returns it.
     *
     * @throws IOException if it cannot be created (e.g. the directory does not exist)
     */
    public static Path createTemp(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        while (true) {
            Path tmp = absolute.resolveSibling("." + absolute.getFileName() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException taken) {
                // astronomically unlikely, and not ours to delete; draw another name
            }
        }
    }

    /**
     * Renames {@code temp} over {@code target} in one step where the file system can (a plain
     * replacing move where it cannot); modifies both paths.
     *
     * @throws IOException if the move fails; {@code temp} is left for the caller to delete
     */
    public static void replace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
