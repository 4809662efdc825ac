package dev.tessera;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite-difference gradient checks of the shape, joining, indexing and matrix-product ops, and of
 * arbitrary ops applied to views inside the checked function (transposed, sliced with a step,
 * permuted, expanded, selected), so that gradients must find their way back through strides,
 * offsets and broadcasting into the leaf's own shape.
 */
class GradCheckShapesTest {

    /** A named function and the inputs to check it at. */
    record Case(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Tensor n(long seed, int... shape) {
        return Checks.randn(seed, shape);
    }

    private static Tensor idx(int[] values, int... shape) {
        return Tensor.ofInts(values, shape);
    }

    static Stream<Case> views() {
        return Stream.of(
                new Case("reshape", x -> x[0].reshape(3, 4).mul(Tensor.arange(4)), n(1, 2, 6)),
                new Case("reshape -1 of transposed", x -> x[0].t().reshape(-1, 2).exp(), n(2, 3, 4)),
                new Case("flatten", x -> x[0].flatten().sin(), n(3, 2, 3, 2)),
                new Case("flatten 1..2", x -> x[0].permute(2, 0, 1).flatten(1, 2).square(), n(4, 2, 3, 2)),
                new Case("t", x -> x[0].t().mul(Tensor.arange(2)), n(5, 2, 3)),
                new Case("transpose 0 2", x -> x[0].transpose(0, 2).mul(Tensor.arange(2)), n(6, 2, 3, 4)),
                new Case("permute", x -> x[0].permute(1, 2, 0).mul(Tensor.arange(2)), n(7, 2, 3, 4)),
                new Case("unsqueeze squeeze", x -> x[0].unsqueeze(1).mul(Tensor.arange(3).reshape(3, 1)).squeeze(), n(8, 2, 1)),
                new Case("squeeze dim", x -> x[0].squeeze(1).cos(), n(9, 3, 1, 2)),
                new Case("expand", x -> x[0].expand(2, 3, 4).mul(n(10, 2, 3, 4)), n(11, 3, 1)),
                new Case("expand 0-d", x -> x[0].expand(3, 2).mul(Tensor.arange(6).reshape(3, 2)), n(12)),
                new Case("slice", x -> x[0].slice(1, 1, 4).exp(), n(13, 3, 5)),
                new Case("slice step", x -> x[0].slice(1, 0, 5, 2).mul(Tensor.arange(3)), n(14, 3, 5)),
                new Case("slice negative", x -> x[0].slice(0, -2, 3).square(), n(15, 3, 5)),
                new Case("slice huge step", x -> x[0].slice(1, 1, 5, Integer.MAX_VALUE).exp(), n(26, 3, 5)),
                new Case("empty slice in cat", x -> Tensor.cat(List.of(x[0].slice(0, 2, 2), x[0].slice(0, 0, 1)), 0).exp(),
                        n(27, 3, 2)),
                new Case("slice of slice of transpose", x -> x[0].t().slice(0, 1, 5, 2).slice(1, 0, 3, 2).exp(), n(16, 3, 5)),
                new Case("select", x -> x[0].select(1, 2).square(), n(17, 3, 4)),
                new Case("select negative", x -> x[0].select(-1, -1).mul(Tensor.arange(3)), n(18, 3, 4)),
                new Case("contiguous", x -> x[0].t().contiguous().mul(Tensor.arange(3)), n(19, 3, 4)),
                new Case("to(cpu)", x -> x[0].to(Device.cpu()).square(), n(20, 3)),
                new Case("view used twice", x -> x[0].t().matmul(x[0]).add(x[0].sum(0, true).t()), n(21, 3, 2)),
                new Case("transposed input to softmax", x -> x[0].t().softmax(1), n(22, 3, 4)),
                new Case("stepped input to max", x -> x[0].slice(1, 0, 6, 2).max(1, false),
                        Tensor.of(new float[] {1, 9, 3, 8, 2, 7, 6, 5, 4, 2, 5, 1}, 2, 6)),
                new Case("expanded input to mean", x -> x[0].expand(4, 3).mul(n(23, 4, 3)).mean(0, false), n(24, 3)),
                new Case("permuted input to var", x -> x[0].permute(2, 0, 1).var(0, false, true), n(25, 2, 2, 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("views")
    void viewGradients(Case c) {
        GradCheck.assertGradients(c.f, c.inputs);
    }

    static Stream<Case> joiningAndIndexing() {
        return Stream.of(
                new Case("cat 0", x -> Tensor.cat(List.of(x[0], x[1]), 0).mul(Tensor.arange(3)), n(30, 2, 3), n(31, 1, 3)),
                new Case("cat 1 with views", x -> Tensor.cat(List.of(x[0].t(), x[1], x[0].t()), 1).square(), n(32, 2, 3), n(33, 3, 1)),
                new Case("cat same tensor", x -> Tensor.cat(List.of(x[0], x[0]), -1).exp(), n(34, 2, 2)),
                new Case("stack 0", x -> Tensor.stack(List.of(x[0], x[1]), 0).mul(Tensor.arange(3)), n(35, 2, 3), n(36, 2, 3)),
                new Case("stack 2", x -> Tensor.stack(List.of(x[0], x[1].t()), 2).mul(Tensor.arange(2)), n(37, 2, 3), n(38, 3, 2)),
                new Case("split", x -> x[0].split(2, 1).get(1).square(), n(39, 3, 5)),
                new Case("split last", x -> x[0].split(2, 1).get(2).exp(), n(40, 3, 5)),
                new Case("chunk", x -> x[0].chunk(2, 0).get(0).mul(x[0].chunk(2, 0).get(1)), n(41, 4, 3)),
                new Case("gather 1", x -> x[0].gather(1, idx(new int[] {2, 0, 2, 1, 1, 0}, 2, 3)), n(42, 2, 3)),
                new Case("gather 0 repeated", x -> x[0].gather(0, idx(new int[] {1, 1, 0, 1, 1, 1}, 3, 2)).square(), n(43, 2, 3)),
                new Case("gather of transposed", x -> x[0].t().gather(1, idx(new int[] {1, 0, 1}, 3, 1)), n(44, 2, 3)),
                new Case("indexSelect 0", x -> x[0].indexSelect(0, idx(new int[] {2, 0, 2}, 3)).mul(Tensor.arange(4)), n(45, 3, 4)),
                new Case("indexSelect 1", x -> x[0].indexSelect(1, idx(new int[] {3, 3, 1}, 3)).exp(), n(46, 3, 4)),
                new Case("indexSelect of permuted", x -> x[0].permute(2, 0, 1).indexSelect(1, idx(new int[] {1, 0, 1}, 3)),
                        n(47, 2, 2, 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("joiningAndIndexing")
    void joiningAndIndexingGradients(Case c) {
        GradCheck.assertGradients(c.f, c.inputs);
    }

    static Stream<Case> matmuls() {
        return Stream.of(
                new Case("1-D x 1-D", x -> x[0].matmul(x[1]), n(50, 4), n(51, 4)),
                new Case("1-D x 2-D", x -> x[0].matmul(x[1]), n(52, 3), n(53, 3, 2)),
                new Case("2-D x 1-D", x -> x[0].matmul(x[1]), n(54, 2, 3), n(55, 3)),
                new Case("2-D x 2-D", x -> x[0].matmul(x[1]), n(56, 2, 3), n(57, 3, 4)),
                new Case("batched 3-D", x -> x[0].matmul(x[1]), n(58, 2, 2, 3), n(59, 2, 3, 2)),
                new Case("broadcast batch [2,1,2,3]x[3,3,2]", x -> x[0].matmul(x[1]), n(60, 2, 1, 2, 3), n(61, 3, 3, 2)),
                new Case("[B,m,k]x[k,n]", x -> x[0].matmul(x[1]), n(62, 3, 2, 4), n(63, 4, 2)),
                new Case("[k]x[B,k,n]", x -> x[0].matmul(x[1]), n(64, 3), n(65, 2, 3, 2)),
                new Case("[B,m,k]x[k]", x -> x[0].matmul(x[1]), n(66, 2, 3, 4), n(67, 4)),
                new Case("[m,k]x[B,k,n]", x -> x[0].matmul(x[1]), n(68, 2, 3), n(69, 2, 3, 2)),
                new Case("transposed operands", x -> x[0].t().matmul(x[1].t()), n(70, 3, 2), n(71, 4, 3)),
                new Case("stepped operand", x -> x[0].slice(1, 0, 6, 2).matmul(x[1]), n(72, 2, 6), n(73, 3, 2)),
                new Case("expanded operand", x -> x[0].expand(2, 2, 3).matmul(x[1]), n(74, 2, 3), n(75, 2, 3, 2)),
                new Case("permuted batch", x -> x[0].permute(1, 0, 2).matmul(x[1]), n(76, 2, 3, 4), n(77, 3, 4, 2)),
                new Case("x used on both sides", x -> x[0].matmul(x[0]), n(78, 3, 3)),
                new Case("linear layer", x -> x[0].matmul(x[1].t()).add(x[2]).tanh(), n(79, 4, 3), n(80, 2, 3), n(81, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matmuls")
    void matmulGradients(Case c) {
        GradCheck.assertGradients(c.f, c.inputs);
    }
}
