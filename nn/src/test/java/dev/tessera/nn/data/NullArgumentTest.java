package dev.tessera.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A null argument to a data constructor or factory fails at once, with a message naming the class
 * and the argument, instead of being stored and failing later (a DataLoader on a null dataset used
 * to fail only when iterated) or failing with the JVM's message about a local variable.
 */
class NullArgumentTest {
    private static final Tensor X = Tensor.zeros(4, 2);
    private static final Tensor Y = Tensor.ofInts(new int[] {0, 1, 0, 1});

    static Stream<Arguments> nullArguments() {
        TensorDataset data = new TensorDataset(X, Y);
        Dataset subset = data.subset(new int[] {0, 2});
        return Stream.of(
                Arguments.of("DataLoader: dataset must not be null", (Executable) () -> new DataLoader(null, 2, true, 7)),
                Arguments.of("DataLoader: dataset must not be null",
                        (Executable) () -> new DataLoader(null, 2, false, 7, true, true)),
                Arguments.of("Batch: features must not be null", (Executable) () -> new Batch(null, Y)),
                Arguments.of("Batch: targets must not be null", (Executable) () -> new Batch(X, null)),
                Arguments.of("Csv.Table: header must not be null (an empty list when there is none)",
                        (Executable) () -> new Csv.Table(null, List.of())),
                Arguments.of("Csv.Table: rows must not be null", (Executable) () -> new Csv.Table(List.of(), null)),
                Arguments.of("TensorDataset: features must not be null", (Executable) () -> new TensorDataset(null, Y)),
                Arguments.of("TensorDataset: targets must not be null", (Executable) () -> new TensorDataset(X, null)),
                Arguments.of("TensorDataset: classNames must not be null (an empty list when not known)",
                        (Executable) () -> new TensorDataset(X, Y, null)),
                Arguments.of("TensorDataset: class name 1 is null",
                        (Executable) () -> new TensorDataset(X, Y, Arrays.asList("a", null))),
                Arguments.of("TensorDataset.get: indices must not be null", (Executable) () -> data.get(null)),
                Arguments.of("subset: indices must not be null", (Executable) () -> data.subset(null)),
                Arguments.of("subset: indices must not be null", (Executable) () -> subset.subset(null)),
                Arguments.of("subset: indices must not be null", (Executable) () -> subset.get(null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    void nullArgumentsFailAtOnceAndAreNamed(String message, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals(message, e.getMessage());
    }
}
