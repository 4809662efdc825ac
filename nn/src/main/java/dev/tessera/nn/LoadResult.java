package dev.tessera.nn;

import java.util.List;

/**
 * What {@link Module#loadStateDict(java.util.Map, boolean)} left out, like PyTorch's
 * {@code _IncompatibleKeys}: both lists are empty after a strict load.
 *
 * @param missingKeys    keys of the module's state dict that the loaded map did not hold (left unchanged)
 * @param unexpectedKeys keys of the loaded map that the module does not have (ignored)
 */
public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    /** Copies both lists so the record is immutable. */
    public LoadResult {
        missingKeys = List.copyOf(missingKeys);
        unexpectedKeys = List.copyOf(unexpectedKeys);
    }
}
