package dev.tessera.kit;

import dev.tessera.DType;
import dev.tessera.Shape;
import dev.tessera.TestDevice;
import dev.tessera.spi.Backend;
import dev.tessera.spi.Storage;
import dev.tessera.spi.View;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * A backend for tests that forwards every primitive to a real backend (the kit's device by default)
 * but runs the SPI's composed defaults for the optional fused kernels ({@link #KERNELS}): calling
 * {@code conv2d}, {@code adamUpdate}, ... on it runs the path a backend without those kernels gets,
 * built from the real backend's primitives. Tests compare it with the CPU backend's fused kernels on
 * the same inputs. (It lives outside package {@code dev.tessera} so that core's error messages,
 * which name the innermost run of core frames on the stack, do not name it.)
 */
public final class ComposedOnly {
    /**
     * The SPI's optional fused kernels, whose default implementations compose the primitives. Every
     * default method of {@link Backend} is either here or in {@link #NOT_KERNELS} (checked by
     * {@code spi.ComposedDefaultsTest}), so a new default cannot escape the kit.
     */
    public static final Set<String> KERNELS = Set.of("softmaxBackward", "attention", "attentionBackward", "im2col",
            "col2im", "conv2d", "conv2dBackwardInput", "conv2dBackwardWeight", "maxPool2d", "maxPool2dBackward",
            "avgPool2d", "avgPool2dBackward", "axpy", "adamUpdate", "sgdUpdate", "layerNorm", "layerNormBackward", "fillUniform", "fillDropoutMask", "dropout", "lstmCell",
            "lstmCellBackward", "gruCell", "gruCellBackward");

    /** Default methods of {@link Backend} that are not composed kernels (descriptions, bookkeeping). */
    public static final Set<String> NOT_KERNELS = Set.of("describe", "owns", "synchronize", "memoryStats", "copyTo",
            "allocateUninitialised");

    private ComposedOnly() {
    }

    /** Returns a composed-defaults backend over the kit's device ({@link TestDevice#backend()}). */
    public static Backend onTestDevice() {
        return over(TestDevice.backend());
    }

    /** Returns a backend that runs {@link #KERNELS} as the SPI's defaults and forwards everything else to {@code real}. */
    public static Backend over(Backend real) {
        InvocationHandler h = (self, m, args) -> {
            switch (m.getName()) {
                case "equals":
                    return self == args[0];
                case "hashCode":
                    return System.identityHashCode(self);
                case "toString":
                    return "ComposedOnly(" + real + ")";
                default:
                    break;
            }
            if (m.isDefault() && KERNELS.contains(m.getName())) {
                return InvocationHandler.invokeDefault(self, m, args);
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    /** A contiguous FLOAT32 view of a copy of {@code data} in {@code shape} on {@code b}. */
    public static View view(Backend b, float[] data, int... shape) {
        return new View(b.upload(data), shape, Shape.contiguousStrides(shape), 0);
    }

    /** A contiguous zero view of {@code shape} and {@code dtype} on {@code b}. */
    public static View zeros(Backend b, DType dtype, int... shape) {
        Storage s = b.allocate(dtype, Shape.numel(shape));
        return new View(s, shape, Shape.contiguousStrides(shape), 0);
    }
}
