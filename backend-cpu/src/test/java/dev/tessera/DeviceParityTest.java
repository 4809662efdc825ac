package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.TestDevice.Kind;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same op on the kit's device and on {@link Device#cpu()}, from the same host inputs: forward
 * values and every input's gradient (for an upstream gradient drawn from a seed) agree bit for bit
 * where {@link TestDevice#sameBitsAsCpu()}, else within the tolerance of the op's {@link Kind}.
 * Inputs include strided (transposed, sliced) and broadcast views and odd sizes. On the CPU the two
 * sides are one backend; on any other device this is the kit's "every backend against the CPU" check.
 */
class DeviceParityTest {

    /** An op: its name, the kind of computation, its input shapes and how to compute it from its inputs. */
    record Op(String name, Kind kind, int[][] shapes, Function<Tensor[], Tensor> f) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Op op(String name, Kind kind, Function<Tensor[], Tensor> f, int[]... shapes) {
        return new Op(name, kind, shapes, f);
    }

    static Stream<Op> ops() {
        return Stream.of(
                op("add broadcast", Kind.ELEMENTWISE, x -> x[0].add(x[1]), new int[] {3, 5}, new int[] {5}),
                op("sub transposed", Kind.ELEMENTWISE, x -> x[0].t().sub(x[1]), new int[] {7, 4}, new int[] {4, 7}),
                op("mul, div", Kind.ELEMENTWISE, x -> x[0].mul(x[1]).div(x[1].abs().add(1f)), new int[] {33}, new int[] {33}),
                op("maximum, clamp", Kind.ELEMENTWISE, x -> x[0].maximum(x[1]).clamp(-0.5f, 0.7f), new int[] {4, 9}, new int[] {4, 9}),
                op("where", Kind.ELEMENTWISE, x -> Tensor.where(x[0].gt(0f), x[0], x[1].mul(2f)), new int[] {17}, new int[] {17}),
                op("exp, log, sqrt", Kind.TRANSCENDENTAL, x -> x[0].exp().add(x[1].abs().add(0.1f).log()).add(x[1].square().add(1f).sqrt()),
                        new int[] {5, 13}, new int[] {5, 13}),
                op("activations", Kind.TRANSCENDENTAL,
                        x -> x[0].sigmoid().add(x[0].tanh()).add(x[0].gelu()).add(x[0].elu(0.7f)).add(x[0].softplus()).add(x[0].leakyRelu(0.1f)),
                        new int[] {6, 11}),
                op("pow, sin, cos", Kind.TRANSCENDENTAL, x -> x[0].abs().add(0.5f).pow(1.7f).add(x[0].sin()).mul(x[0].cos()), new int[] {40}),
                op("sum, mean", Kind.REDUCTION, x -> x[0].sum(1, true).add(x[0].mean(0, true)), new int[] {6, 129}),
                op("sum of a strided view", Kind.REDUCTION, x -> x[0].transpose(0, 2).slice(1, 1, 6, 2).sum(2, false), new int[] {4, 7, 9}),
                op("var, max, min", Kind.REDUCTION, x -> x[0].var(1, false, true).add(x[0].max(1, false)).sub(x[0].min(1, false)),
                        new int[] {5, 31}),
                op("softmax", Kind.SOFTMAX, x -> x[0].mul(3f).softmax(1), new int[] {4, 37, 3}),
                op("logSoftmax last", Kind.SOFTMAX, x -> x[0].logSoftmax(-1), new int[] {3, 200}),
                op("matmul", Kind.GEMM, x -> x[0].matmul(x[1]), new int[] {17, 33}, new int[] {33, 9}),
                op("batched matmul transposed", Kind.GEMM, x -> x[0].matmul(x[1].transpose(1, 2)), new int[] {3, 8, 16}, new int[] {3, 5, 16}),
                op("matmul broadcast batch", Kind.GEMM, x -> x[0].matmul(x[1]), new int[] {2, 3, 4, 6}, new int[] {6, 5}),
                op("conv2d", Kind.GEMM, x -> x[0].conv2d(x[1], x[2], new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 1}, 1),
                        new int[] {2, 3, 9, 8}, new int[] {4, 3, 3, 3}, new int[] {4}),
                op("depthwise conv2d", Kind.GEMM, x -> x[0].conv2d(x[1], null, new int[] {1, 1}, new int[] {1, 1}, new int[] {2, 2}, 4),
                        new int[] {1, 4, 7, 7}, new int[] {4, 1, 3, 3}),
                op("maxPool2d, avgPool2d", Kind.REDUCTION,
                        x -> x[0].maxPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}).add(x[0].avgPool2d(new int[] {3, 3},
                                new int[] {2, 2}, new int[] {1, 1}, false)), new int[] {2, 3, 9, 10}),
                op("adaptiveAvgPool2d", Kind.REDUCTION, x -> x[0].adaptiveAvgPool2d(3, 4), new int[] {2, 2, 7, 9}),
                op("cat, stack, permute", Kind.ELEMENTWISE,
                        x -> Tensor.stack(List.of(Tensor.cat(List.of(x[0], x[1]), 1), Tensor.cat(List.of(x[1], x[0]), 1)), 0).permute(2, 0, 1),
                        new int[] {3, 4}, new int[] {3, 4}),
                op("gather, indexSelect", Kind.ELEMENTWISE,
                        x -> x[0].gather(1, Tensor.ofInts(x[0].device(), new int[] {2, 0, 1, 1, 3, 3}, 3, 2)).sum(1, false)
                                .add(x[0].indexSelect(1, Tensor.ofInts(x[0].device(), new int[] {3, 0}, 2)).sum(1, false)),
                        new int[] {3, 4}),
                op("expand, contiguous", Kind.ELEMENTWISE, x -> x[0].unsqueeze(1).expand(3, 4, 5).contiguous().mul(x[1]),
                        new int[] {3, 5}, new int[] {4, 5}),
                op("mean of all, scalar", Kind.REDUCTION, x -> x[0].square().mean().add(x[0].sum()), new int[] {1000}));
    }

    /** The op's output and each input's gradient, computed on {@code device}, read back to the host. */
    private static float[][] run(Op op, Device device) {
        Tensor[] inputs = new Tensor[op.shapes().length];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = Tensor.of(device, Checks.normal(31L * i + op.name().length(), Oracle.numel(op.shapes()[i])),
                    op.shapes()[i]).requiresGrad(true);
        }
        Tensor out = op.f().apply(inputs);
        assertEquals(device, out.device(), op.name() + " runs on its inputs' device");
        float[] gv = Checks.normal(97, (int) out.numel());
        Tensor g = out.dim() == 0 ? Tensor.scalar(device, gv[0]) : Tensor.of(device, gv, out.shape());
        out.backward(g);
        float[][] results = new float[inputs.length + 1][];
        results[0] = out.toFloatArray();
        for (int i = 0; i < inputs.length; i++) {
            results[i + 1] = inputs[i].grad().toFloatArray();
            assertEquals(device, inputs[i].grad().device(), op.name() + ": gradient " + i + " lives on the device");
        }
        return results;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void sameOpOnTheKitDeviceAsOnTheCpu(Op op) {
        float[][] cpu = run(op, Device.cpu());
        float[][] device = run(op, TestDevice.get());
        for (int i = 0; i < cpu.length; i++) {
            String what = op.name() + (i == 0 ? " forward" : " gradient of input " + (i - 1));
            TestDevice.assertMatchesCpu(what, cpu[i], device[i], op.kind());
        }
        // Bit-for-bit determinism of repeated runs holds on every device.
        float[][] again = run(op, TestDevice.get());
        for (int i = 0; i < device.length; i++) {
            assertArrayEquals(device[i], again[i], op.name() + ": a second run on " + TestDevice.name() + " gives the same bits");
        }
    }
}
