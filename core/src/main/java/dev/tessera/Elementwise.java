package dev.tessera;

import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.UnaryOp;

/** Elementwise arithmetic with broadcasting: forward through the backend, backward as tensor ops. */
final class Elementwise {
    private Elementwise() {
    }

    /** {@code op(a, b)} with NumPy broadcasting; differentiable for ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM. */
    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        Tensor out = Kernels.binary(op, a, b);
        if (out.dtype != DType.FLOAT32) {
            return out; // integer arithmetic has no gradient
        }
        String name = op.label();
        Node.Backward backward = switch (op) {
            case ADD -> (g, needs) -> new Tensor[] {g, g};
            case SUB -> (g, needs) -> new Tensor[] {g, needs[1] ? g.neg() : null};
            case MUL -> (g, needs) -> new Tensor[] {needs[0] ? g.mul(b) : null, needs[1] ? g.mul(a) : null};
            // d(a/b)/db = -a/b^2 = -out/b
            case DIV -> (g, needs) -> new Tensor[] {
                needs[0] ? g.div(b) : null, needs[1] ? g.mul(out).div(b).neg() : null};
            // d(a^b)/da = b*a^(b-1), 0 where b == 0; d(a^b)/db = a^b * ln a, 0 where a == 0 and b >= 0 (as PyTorch)
            case POW -> (g, needs) -> {
                Tensor zero = Creation.full(g.backend, 0f, new int[0]);
                Tensor ga = needs[0] ? Tensor.where(b.eq(0f), zero, g.mul(b).mul(a.pow(b.sub(1f)))) : null;
                Tensor gb = needs[1] ? Tensor.where(a.eq(0f).mul(b.ge(0f)), zero, g.mul(out).mul(a.log())) : null;
                return new Tensor[] {ga, gb};
            };
            case MAXIMUM, MINIMUM -> (g, needs) -> {
                // The larger (smaller) input takes the gradient; ties split it evenly, as PyTorch does.
                Tensor wins = op == BinaryOp.MAXIMUM ? a.gt(b) : a.lt(b);
                Tensor share = wins.add(a.eq(b).mul(0.5f));
                return new Tensor[] {needs[0] ? g.mul(share) : null, needs[1] ? g.mul(share.rsub(1f)) : null};
            };
            default -> throw new IllegalArgumentException(name + ": comparisons are not differentiable; use compare");
        };
        // What each rule above reads; a factor of a product is needed only for the other factor's gradient.
        Tensor[] saved = switch (op) {
            case ADD, SUB -> Autograd.saved();
            case MUL -> Autograd.saved(b.requiresGrad ? a : null, a.requiresGrad ? b : null);
            case DIV -> Autograd.saved(b, b.requiresGrad ? out : null);
            case POW -> Autograd.saved(a, b, out);
            default -> Autograd.saved(a, b); // MAXIMUM, MINIMUM
        };
        return Autograd.record(out, name, saved, backward, a, b);
    }

    /** A comparison with broadcasting; 0/1 FLOAT32, never recorded. */
    static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        return Kernels.binary(op, a, b);
    }

    static Tensor compare(BinaryOp op, Tensor a, float value) {
        return Kernels.binary(op, a, Creation.full(a.backend, value, new int[0]));
    }

    /** A one-argument op; see {@link UnaryOp} for the formulas. */
    static Tensor unary(UnaryOp op, Tensor x) {
        Tensor out = Kernels.unary(op, 0f, x);
        Node.Backward backward = switch (op) {
            case NEG -> (g, needs) -> new Tensor[] {g.neg()};
            case EXP -> (g, needs) -> new Tensor[] {g.mul(out)};
            case LOG -> (g, needs) -> new Tensor[] {g.div(x)};
            case SQRT -> (g, needs) -> new Tensor[] {g.div(out).mul(0.5f)};
            case RSQRT -> (g, needs) -> new Tensor[] {g.mul(out.pow(3f)).mul(-0.5f)};
            case RECIPROCAL -> (g, needs) -> new Tensor[] {g.mul(out.square()).neg()};
            case ABS -> (g, needs) -> new Tensor[] {g.mul(x.sign())};
            case SIGN -> (g, needs) -> new Tensor[] {g.zerosLike()};
            case SIN -> (g, needs) -> new Tensor[] {g.mul(x.cos())};
            case COS -> (g, needs) -> new Tensor[] {g.mul(x.sin()).neg()};
            default -> throw new IllegalArgumentException("unary: " + op + " is applied through Activations");
        };
        // What each rule above reads.
        Tensor[] saved = switch (op) {
            case EXP, SQRT, RSQRT, RECIPROCAL -> Autograd.saved(out);
            case LOG, ABS, SIN, COS -> Autograd.saved(x);
            default -> Autograd.saved(); // NEG, SIGN
        };
        return Autograd.record(out, op.label(), saved, backward, x);
    }

    static Tensor addScalar(Tensor x, float value) {
        Tensor out = Kernels.unary(UnaryOp.ADD_SCALAR, value, x);
        return Autograd.record(out, "add", (g, needs) -> new Tensor[] {g}, x);
    }

    static Tensor rsubScalar(Tensor x, float value) {
        Tensor out = Kernels.unary(UnaryOp.RSUB_SCALAR, value, x);
        return Autograd.record(out, "rsub", (g, needs) -> new Tensor[] {g.neg()}, x);
    }

    static Tensor mulScalar(Tensor x, float value) {
        Tensor out = Kernels.unary(UnaryOp.MUL_SCALAR, value, x);
        return Autograd.record(out, "mul", (g, needs) -> new Tensor[] {g.mul(value)}, x);
    }

    static Tensor divScalar(Tensor x, float value) {
        Tensor out = Kernels.unary(UnaryOp.DIV_SCALAR, value, x);
        return Autograd.record(out, "div", (g, needs) -> new Tensor[] {g.div(value)}, x);
    }

    static Tensor powScalar(Tensor x, float exponent) {
        Tensor out = Kernels.unary(UnaryOp.POW_SCALAR, exponent, x);
        // d(x^p)/dx = p * x^(p-1); exactly 0 for p = 0 (x^-1 would make 0 * inf at x = 0)
        Tensor[] saved = exponent == 0f ? Autograd.saved() : Autograd.saved(x);
        return Autograd.record(out, "pow", saved, (g, needs) -> new Tensor[] {
            exponent == 0f ? g.zerosLike()
                    : exponent == 2f ? g.mul(x).mul(2f) : g.mul(x.pow(exponent - 1f)).mul(exponent)}, x);
    }

    static Tensor clamp(Tensor x, float min, float max) {
        if (min > max) {
            throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
        }
        Tensor out = Kernels.unary(UnaryOp.CLAMP_MAX, max, Kernels.unary(UnaryOp.CLAMP_MIN, min, x));
        // The gradient passes where min <= x <= max, as in PyTorch.
        return Autograd.record(out, "clamp", Autograd.saved(x),
                (g, needs) -> new Tensor[] {g.mul(x.ge(min).mul(x.le(max)))}, x);
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Tensor out = Kernels.where(cond, a, b);
        return Autograd.record(out, "where", Autograd.saved(cond), (g, needs) -> {
            Tensor zero = Creation.full(g.backend, 0f, new int[0]);
            return new Tensor[] {null, needs[1] ? Kernels.where(cond, g, zero) : null,
                needs[2] ? Kernels.where(cond, zero, g) : null};
        }, cond, a, b);
    }
}
