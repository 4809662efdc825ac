package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad inputs to the recurrent layers and cells fail with a message naming the layer and the shapes or values at fault. */
class RecurrentInputChecksTest {
    static Stream<Arguments> badCalls() {
        LSTM lstm = new LSTM(3, 4, 2, false, true);
        GRU gru = new GRU(3, 4, 1, true, false);
        RNN rnn = new RNN(3, 4);
        Tensor x = Tensor.zeros(5, 2, 3);
        Tensor h = Tensor.zeros(4, 2, 4);
        return Stream.of(
                bad("wrong input size", () -> lstm.forward(Tensor.zeros(5, 2, 7)),
                        "LSTM(input=3, hidden=4, layers=2, bidirectional=true)", "[5, 2, 7]", "[seq, batch, 3]"),
                bad("input of rank 4", () -> gru.forward(Tensor.zeros(2, 5, 3, 1)), "GRU(", "[2, 5, 3, 1]", "[batch, seq, 3]"),
                bad("input of rank 1", () -> rnn.forward(Tensor.zeros(3)), "RNN(", "[3]"),
                bad("empty sequence", () -> rnn.forward(Tensor.zeros(0, 2, 3)), "RNN(", "[0, 2, 3]", "no steps"),
                bad("h0 of the wrong batch", () -> lstm.forward(x, Tensor.zeros(4, 3, 4), Tensor.zeros(4, 3, 4)),
                        "LSTM(", "h0 of shape [4, 3, 4]", "[4, 2, 4]", "[5, 2, 3]"),
                bad("h0 without the directions", () -> lstm.forward(x, Tensor.zeros(2, 2, 4), Tensor.zeros(4, 2, 4)),
                        "h0 of shape [2, 2, 4]", "[4, 2, 4]"),
                bad("c0 of the wrong size", () -> lstm.forward(x, h, Tensor.zeros(4, 2, 5)), "c0 of shape [4, 2, 5]",
                        "[4, 2, 4]"),
                bad("h0 without c0", () -> lstm.forward(x, h, null), "LSTM(", "h0 only"),
                bad("GRU h0 of the wrong rank", () -> gru.forward(Tensor.zeros(2, 5, 3), Tensor.zeros(2, 4)), "GRU(",
                        "h0 of shape [2, 4]", "[1, 2, 4]"),
                bad("length longer than the sequence", () -> lstm.forward(x, new int[] {6, 2}), "LSTM(",
                        "length 6 of sequence 0", "[0, 5]", "[5, 2, 3]"),
                bad("negative length", () -> rnn.forward(x, null, new int[] {3, -1}), "RNN(", "length -1 of sequence 1"),
                bad("one length too many", () -> gru.forward(Tensor.zeros(2, 5, 3), null, new int[] {5, 5, 5}), "GRU(",
                        "3 lengths for a batch of 2", "[2, 5, 3]"),
                bad("cell input size", () -> new LSTMCell(3, 4).forward(Tensor.zeros(2, 5)), "LSTMCell(input=3, hidden=4)",
                        "[2, 5]", "[batch, 3]"),
                bad("cell state shape", () -> new GRUCell(3, 4).forward(Tensor.zeros(2, 3), Tensor.zeros(3, 4)), "GRUCell(",
                        "h of shape [3, 4]", "[2, 4]", "[2, 3]"),
                bad("cell c shape", () -> new LSTMCell(3, 4).forward(Tensor.zeros(2, 3), null, Tensor.zeros(2, 5)),
                        "LSTMCell(", "c of shape [2, 5]", "[2, 4]"),
                bad("zero hidden size", () -> new LSTM(3, 0), "LSTM", "hiddenSize=0"),
                bad("zero layers", () -> new GRU(3, 4, 0, false, false), "GRU", "numLayers=0"),
                bad("dropout above one", () -> new LSTM(3, 4, 2, true, false, 1.5, false, new Generator(1)), "LSTM",
                        "dropout", "1.5"),
                bad("sigmoid RNN", () -> new RNN(3, 4, 1, Nonlinearity.SIGMOID, true, false, 0, false, new Generator(1)),
                        "RNN", "SIGMOID"),
                bad("zero cell input size", () -> new RNNCell(0, 4), "RNNCell", "inputSize=0"));
    }

    private static Arguments bad(String name, Executable call, String... fragments) {
        return Arguments.of(name, call, fragments);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCalls")
    void badInputIsRejectedWithAMessageNamingTheLayerAndShapes(String name, Executable call, String[] fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), name + ": message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }
}
