package dev.tessera;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Tensor#conv2dRelu}: the values and every gradient bit for bit against {@code conv2d}
 * then {@code relu}, with strides, padding, dilation, groups, without bias, and with a channel
 * whose pre-activation is exactly zero and inputs that are infinite or NaN.
 */
class ConvReluTest {

    /** N, C, H, W, OC, kernel, stride, padding, dilation, groups, bias, special values. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(2, 3, 8, 8, 4, 3, 1, 1, 1, 1, true, false),
                Arguments.of(1, 4, 9, 7, 6, 3, 2, 0, 1, 2, false, false),
                Arguments.of(2, 2, 10, 10, 3, 3, 1, 2, 2, 1, true, true),
                Arguments.of(3, 4, 6, 6, 4, 1, 1, 0, 1, 4, true, true));
    }

    @ParameterizedTest(name = "N{0} C{1} {2}x{3} OC{4} k{5} s{6} p{7} d{8} g{9} bias={10} special={11}")
    @MethodSource("cases")
    void valuesAndGradientsHaveTheBitsOfConvThenRelu(int n, int c, int h, int w, int oc, int k, int stride,
            int padding, int dilation, int groups, boolean withBias, boolean special) {
        float[] xd = Checks.normal(1, n * c * h * w);
        float[] wd = Checks.normal(2, oc * (c / groups) * k * k);
        float[] bd = Checks.normal(3, oc);
        if (special) {
            // Output channel 0 has a zero kernel and a zero bias: its pre-activations are exactly
            // zero, except where an infinite or NaN input reaches it (inf times 0 is NaN).
            java.util.Arrays.fill(wd, 0, (c / groups) * k * k, 0f);
            bd[0] = 0f;
            xd[0] = Float.POSITIVE_INFINITY;
            xd[xd.length - 1] = Float.NaN;
        }
        int[] xShape = {n, c, h, w};
        int[] wShape = {oc, c / groups, k, k};
        int[] s = {stride, stride};
        int[] p = {padding, padding};
        int[] d = {dilation, dilation};

        Tensor[] fused = leaves(xd, xShape, wd, wShape, withBias ? bd : null);
        Tensor y = fused[0].conv2dRelu(fused[1], fused[2], s, p, d, groups);
        Tensor[] plain = leaves(xd, xShape, wd, wShape, withBias ? bd : null);
        Tensor expected = plain[0].conv2d(plain[1], plain[2], s, p, d, groups).relu();
        Checks.assertSameBits("values", expected, y);

        Tensor g = Tensor.of(Checks.normal(4, Oracle.numel(y.shape())), y.shape());
        y.mul(g).sum().backward();
        expected.mul(g).sum().backward();
        String[] names = {"input", "weight", "bias"};
        for (int i = 0; i < 3; i++) {
            if (plain[i] != null) {
                Checks.assertSameBits("gradient of the " + names[i], plain[i].grad(), fused[i].grad());
            }
        }
    }

    private static Tensor[] leaves(float[] xd, int[] xShape, float[] wd, int[] wShape, float[] bd) {
        return new Tensor[] {Tensor.of(xd, xShape).requiresGrad(true), Tensor.of(wd, wShape).requiresGrad(true),
                bd == null ? null : Tensor.of(bd, bd.length).requiresGrad(true)};
    }
}
