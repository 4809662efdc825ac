package dev.tessera.spi;

import dev.tessera.DeviceInfo;
import dev.tessera.DeviceType;
import java.util.List;

/**
 * Entry point of a backend module, registered in {@code
 * META-INF/services/dev.tessera.spi.BackendProvider}. Core probes every provider once, lazily.
 */
public interface BackendProvider {

    /** Returns the kind of device this provider drives. */
    DeviceType type();

    /**
     * Probes for devices. Must not throw, not even {@link LinkageError} from a missing native
     * library: a device that cannot start is returned with {@code usable == false} and the reason.
     */
    List<DeviceInfo> probe();

    /**
     * Opens device number {@code index}, previously reported usable by {@link #probe()}. Core
     * calls this at most once per device and keeps the result.
     */
    Backend open(int index);
}
