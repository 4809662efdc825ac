package dev.tessera.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file could not be read or written: it is missing, unreadable, truncated or
 * malformed, or the file system refused a write. The message always starts with the file and
 * then names the fault, e.g. {@code model.safetensors: tensor 'fc.weight' data_offsets [0, 4096]
 * exceed the data section of 1024 bytes}.
 *
 * <p>Invalid arguments to {@link SafeTensors#save} (bad names, unsupported dtypes) are not I/O
 * faults and throw {@link IllegalArgumentException} instead.
 */
public class SafeTensorsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * Creates an exception for {@code file} whose message is {@code "<file>: <fault>"}.
     *
     * @param file the file being read or written
     * @param fault what went wrong
     */
    public SafeTensorsException(Path file, String fault) {
        super(file + ": " + fault);
        this.file = file;
    }

    /**
     * Creates an exception for {@code file} whose message is {@code "<file>: <fault>"}, caused by
     * {@code cause}.
     *
     * @param file the file being read or written
     * @param fault what went wrong
     * @param cause the underlying failure
     */
    public SafeTensorsException(Path file, String fault, Throwable cause) {
        super(file + ": " + fault, cause);
        this.file = file;
    }

    /**
     * Returns the file being read or written when the failure occurred.
     *
     * @return the path as given to the failing call
     */
    public Path file() {
        return file;
    }
}
