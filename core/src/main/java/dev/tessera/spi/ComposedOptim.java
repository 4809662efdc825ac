package dev.tessera.spi;

import dev.tessera.DType;
import dev.tessera.Shape;

/** The default optimizer updates of {@link Backend}, composed from its elementwise primitives. */
final class ComposedOptim {
    private ComposedOptim() {
    }

    private static View temp(Backend b, View like) {
        return new View(b.allocate(DType.FLOAT32, like.numel()), like.shape(), Shape.contiguousStrides(like.shape()), 0);
    }

    /** See {@link Backend#adamUpdate}. */
    static void adam(Backend b, View p, View g, View m, View v, AdamSpec s) {
        View d = g;
        if (s.weightDecay() != 0f) {
            if (s.decoupled()) {
                b.unary(UnaryOp.MUL_SCALAR, 1f - s.lr() * s.weightDecay(), p, p);
            } else {
                d = temp(b, g);
                b.unary(UnaryOp.MUL_SCALAR, s.weightDecay(), p, d);
                b.binary(BinaryOp.ADD, g, d, d);
            }
        }
        View t = temp(b, g);
        // m = beta1*m + (1-beta1)*d
        b.unary(UnaryOp.MUL_SCALAR, s.beta1(), m, m);
        b.unary(UnaryOp.MUL_SCALAR, 1f - s.beta1(), d, t);
        b.binary(BinaryOp.ADD, m, t, m);
        // v = beta2*v + (1-beta2)*d^2
        b.unary(UnaryOp.MUL_SCALAR, s.beta2(), v, v);
        b.binary(BinaryOp.MUL, d, d, t);
        b.unary(UnaryOp.MUL_SCALAR, 1f - s.beta2(), t, t);
        b.binary(BinaryOp.ADD, v, t, v);
        // p -= lr/bias1 * m / (sqrt(v)/bias2Sqrt + eps)
        b.unary(UnaryOp.SQRT, 0f, v, t);
        b.unary(UnaryOp.MUL_SCALAR, 1f / s.bias2Sqrt(), t, t);
        b.unary(UnaryOp.ADD_SCALAR, s.eps(), t, t);
        b.binary(BinaryOp.DIV, m, t, t);
        b.unary(UnaryOp.MUL_SCALAR, -s.lr() / s.bias1(), t, t);
        b.binary(BinaryOp.ADD, p, t, p);
    }

    /**
     * See {@link Backend#sgdUpdate}: the passes of PyTorch's SGD, each rounded to float as {@code
     * torch.optim.SGD} rounds it, so a fused kernel can reproduce the bits.
     */
    static void sgd(Backend b, View p, View g, View buf, SgdSpec s) {
        View d = g;
        if (s.weightDecay() != 0f) {
            d = temp(b, g);
            b.unary(UnaryOp.MUL_SCALAR, s.weightDecay(), p, d);
            b.binary(BinaryOp.ADD, g, d, d);
        }
        if (s.momentum() != 0f) {
            if (s.firstStep()) {
                b.copy(d, buf);
            } else {
                b.unary(UnaryOp.MUL_SCALAR, s.momentum(), buf, buf);
                addScaled(b, d, 1f - s.dampening(), buf);
            }
            if (s.nesterov()) {
                View t = temp(b, g);
                b.unary(UnaryOp.MUL_SCALAR, s.momentum(), buf, t);
                b.binary(BinaryOp.ADD, d, t, t);
                d = t;
            } else {
                d = buf;
            }
        }
        addScaled(b, d, -s.lr(), p);
    }

    /** {@code y += alpha x}: a plain add when {@code alpha} is 1 (the same bits: {@code 1 x} is exact). */
    private static void addScaled(Backend b, View x, float alpha, View y) {
        if (alpha == 1f) {
            b.binary(BinaryOp.ADD, y, x, y);
        } else {
            b.axpy(x, alpha, y);
        }
    }
}
