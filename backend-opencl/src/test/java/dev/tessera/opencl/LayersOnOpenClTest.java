package dev.tessera.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Device;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.AdaptiveAvgPool2d;
import dev.tessera.nn.AvgPool2d;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.MaxPool2d;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import org.junit.jupiter.api.Test;

/** Convolution and pooling layers through the Tensor API on OpenCL: forward and gradients as on the CPU, and an empty batch. */
class LayersOnOpenClTest {

    private static Module net(Generator g) {
        return new Sequential(conv(3, 6, 3, 1, 1, 1, g), new ReLU(), new MaxPool2d(2), conv(6, 6, 3, 2, 1, 3, g),
                new AvgPool2d(2), new AdaptiveAvgPool2d(2, 3));
    }

    private static Conv2d conv(int in, int out, int k, int stride, int pad, int groups, Generator g) {
        return new Conv2d(in, out, new int[] {k, k}, new int[] {stride, 1}, new int[] {pad, pad}, new int[] {1, 2}, groups,
                true, g);
    }

    @Test
    void convolutionAndPoolingLayersGiveTheCpusValuesAndGradients() {
        ClTestDevice.backend();
        Device d = ClTestDevice.device();
        Module cpu = net(new Generator(1));
        Module ocl = net(new Generator(1)).to(d);
        Tensor x = Tensor.randn(new Generator(2), 2, 3, 13, 11);
        Tensor xo = x.to(d).requiresGrad(true);
        Tensor xc = x.requiresGrad(true);
        Tensor yc = cpu.forward(xc);
        Tensor yo = ocl.forward(xo);
        SpiPair.assertClose(yc.toFloatArray(), yo.toFloatArray(), 1e-4f, 1e-5f, "forward");
        yc.mul(yc).sum().backward();
        yo.mul(yo).sum().backward();
        SpiPair.assertClose(xc.grad().toFloatArray(), xo.grad().toFloatArray(), 1e-4f, 1e-5f, "input gradient");
        var pc = cpu.namedParameters();
        var po = ocl.namedParameters();
        for (String name : pc.keySet()) {
            SpiPair.assertClose(pc.get(name).grad().toFloatArray(), po.get(name).grad().toFloatArray(), 1e-4f, 1e-5f,
                    name + " gradient");
        }
    }

    /** Core rejects convolution and pooling of an empty batch before any kernel runs: the same error on both devices. */
    @Test
    void anEmptyBatchIsRejectedAsOnTheCpu() {
        ClTestDevice.backend();
        Device d = ClTestDevice.device();
        Tensor x = Tensor.zeros(0, 3, 13, 11);
        Module[][] pairs = {{net(new Generator(1)), net(new Generator(1)).to(d)}, {new MaxPool2d(2), new MaxPool2d(2)},
            {new AdaptiveAvgPool2d(2, 3), new AdaptiveAvgPool2d(2, 3)}};
        for (Module[] pair : pairs) {
            String onCpu = assertThrows(IllegalArgumentException.class, () -> pair[0].forward(x)).getMessage();
            String onOcl = assertThrows(IllegalArgumentException.class, () -> pair[1].forward(x.to(d))).getMessage();
            assertEquals(onCpu, onOcl);
        }
    }
}
