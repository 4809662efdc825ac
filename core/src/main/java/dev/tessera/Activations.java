package dev.tessera;

import dev.tessera.spi.UnaryOp;

/**
 * Activation functions. Each backward is written so that it is exact at 0 (PyTorch's conventions:
 * ReLU'(0) = 0, LeakyReLU'(0) = alpha) and finite for large |x|: it uses the saved output where
 * that is the stable form (sigmoid, tanh) rather than re-evaluating exponentials.
 */
final class Activations {
    private Activations() {
    }

    static Tensor relu(Tensor x) {
        Tensor out = Kernels.unary(UnaryOp.RELU, 0f, x);
        return Autograd.record(out, "relu", Autograd.saved(x),
                (g, needs) -> new Tensor[] {g.mul(Kernels.unary(UnaryOp.STEP, 0f, x))}, x);
    }

    /**
     * {@link #relu} of {@code x}, written over {@code x}'s array: only for a tensor an op has just
     * created and hands to no one else, and whose node's backward does not read it. The gradient
     * is {@code g * step(out)}: {@code out > 0} exactly where {@code x > 0} (NaN and -0 included),
     * so it has {@link #relu}'s bits.
     */
    static Tensor reluOverOwn(Tensor x) {
        x.backend.unary(UnaryOp.RELU, 0f, x.view(), x.view());
        Tensor out = new Tensor(x.backend, x.storage, x.shape, x.strides, x.offset);
        return Autograd.record(out, "relu", Autograd.saved(out),
                (g, needs) -> new Tensor[] {g.mul(Kernels.unary(UnaryOp.STEP, 0f, out))}, x);
    }

    static Tensor sigmoid(Tensor x) {
        Tensor out = Kernels.unary(UnaryOp.SIGMOID, 0f, x);
        // s' = s * (1 - s)
        return Autograd.record(out, "sigmoid", Autograd.saved(out),
                (g, needs) -> new Tensor[] {g.mul(out.mul(out.rsub(1f)))}, x);
    }

    static Tensor tanh(Tensor x) {
        Tensor out = Kernels.unary(UnaryOp.TANH, 0f, x);
        // tanh' = 1 - tanh^2
        return Autograd.record(out, "tanh", Autograd.saved(out),
                (g, needs) -> new Tensor[] {g.mul(out.square().rsub(1f))}, x);
    }

    static Tensor leakyRelu(Tensor x, float alpha) {
        Tensor out = Kernels.unary(UnaryOp.LEAKY_RELU, alpha, x);
        // slope = 1 for x > 0, alpha otherwise: step(x) * (1 - alpha) + alpha
        return Autograd.record(out, "leakyRelu", Autograd.saved(x), (g, needs) -> new Tensor[] {
            g.mul(Kernels.unary(UnaryOp.STEP, 0f, x).mul(1f - alpha).add(alpha))}, x);
    }

    static Tensor elu(Tensor x, float alpha) {
        Tensor out = Kernels.unary(UnaryOp.ELU, alpha, x);
        // slope = 1 for x > 0, alpha * e^x = out + alpha otherwise
        return Autograd.record(out, "elu", Autograd.saved(x, out), (g, needs) -> new Tensor[] {
            g.mul(Tensor.where(x.gt(0f), Creation.full(g.backend, 1f, new int[0]), out.add(alpha)))}, x);
    }

    static Tensor gelu(Tensor x) {
        Tensor out = Kernels.unary(UnaryOp.GELU, 0f, x);
        return Autograd.record(out, "gelu", Autograd.saved(x),
                (g, needs) -> new Tensor[] {g.mul(Kernels.unary(UnaryOp.GELU_GRAD, 0f, x))}, x);
    }

    static Tensor softplus(Tensor x) {
        Tensor out = Kernels.unary(UnaryOp.SOFTPLUS, 0f, x);
        return Autograd.record(out, "softplus", Autograd.saved(x),
                (g, needs) -> new Tensor[] {g.mul(Kernels.unary(UnaryOp.SIGMOID, 0f, x))}, x);
    }

    static Tensor softmax(Tensor x, int dim, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        int d = Shape.normalizeDim(op, dim, Math.max(x.dim(), 1));
        if (x.dim() == 0) {
            return softmax(x.reshape(1), 0, log).reshape();
        }
        Tensor out = Kernels.softmax(x, d, log);
        // d softmax: y * (g - sum(g * y)); d logsoftmax: g - exp(y) * sum(g); one backend call.
        return Autograd.record(out, op, Autograd.saved(out), (g, needs) -> new Tensor[] {
            Kernels.softmaxBackward(out, g, d, log)}, x);
    }
}
