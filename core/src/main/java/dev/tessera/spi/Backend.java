package dev.tessera.spi;

import dev.tessera.DType;
import dev.tessera.Device;

/**
 * The primitives a device implements. Everything else (broadcasting, views, autograd, layers) is
 * built in core from these.
 *
 * <p>Conventions shared by all methods:
 *
 * <ul>
 *   <li>Input views may have any strides, including 0 (broadcast) and negative-free transposes;
 *       {@code out} views are written element by element in their own layout.
 *   <li>Shapes have been checked by core: a backend may assume they agree and only has to guard
 *       what core cannot know, such as index values read from device memory.
 *   <li>Methods are called from any thread; a backend must be safe for concurrent calls on
 *       distinct output storages.
 * </ul>
 *
 * <p>Memory: every storage a backend creates goes through a {@link MemoryLedger} ({@link
 * MemoryLedger#track}), which counts it for {@link #memoryStats()}, registers it with the calling
 * thread's {@link dev.tessera.MemoryScope} and with a cleaner as the safety net; {@link
 * Storage#release()} frees it early. Beyond the primitives, the SPI has four small additions a GPU
 * needs, each with a default: {@link #copyTo} (device-to-device copies within one backend, by
 * default through the host), {@link #synchronize()} (waits for queued work, by default a no-op),
 * {@link #owns} (whether a storage is this backend's, by default false) and {@link #memoryStats()}
 * (by default {@link dev.tessera.MemoryStats#NONE}).
 */
public interface Backend {

    /** Returns the device this backend drives. */
    Device device();

    /** Allocates {@code length} zero-filled elements of {@code dtype}. */
    Storage allocate(DType dtype, int length);

    /**
     * Allocates {@code length} elements of {@code dtype} whose contents are unspecified (a recycled
     * buffer's old values, say): for an output that a kernel overwrites in full before anything
     * reads it, so that no pass is spent zeroing it. The default zero-fills, as {@link #allocate}.
     */
    default Storage allocateUninitialised(DType dtype, int length) {
        return allocate(dtype, length);
    }

    /** Copies host floats into a new FLOAT32 storage of the same length; {@code data} is not kept. */
    Storage upload(float[] data);

    /** Copies host ints into a new INT32 storage of the same length; {@code data} is not kept. */
    Storage upload(int[] data);

    /** Returns the elements of {@code src} in row-major order as floats (INT32 is converted). */
    float[] readFloats(View src);

    /** Returns the elements of {@code src} in row-major order as ints (FLOAT32 is truncated toward 0). */
    int[] readInts(View src);

    /** Writes {@code value} into every element of {@code out}. */
    void fill(View out, float value);

    /**
     * Copies {@code src} into {@code out} (same shape), converting the dtype where they differ
     * (float to int truncates toward 0).
     */
    void copy(View src, View out);

    /** {@code out = op(x, param)} elementwise; x and out are FLOAT32 of the same shape. */
    void unary(UnaryOp op, float param, View x, View out);

    /**
     * {@code out = op(a, b)} elementwise; a, b and out have the same shape (core expands broadcast
     * operands with stride 0). Inputs are FLOAT32 or INT32; out is FLOAT32, or INT32 when core
     * asks for integer arithmetic (both inputs INT32 and op ADD, SUB, MUL, MAXIMUM or MINIMUM).
     */
    void binary(BinaryOp op, View a, View b, View out);

    /** {@code out = cond != 0 ? a : b} elementwise; all of one shape, a, b and out FLOAT32. */
    void where(View cond, View a, View b, View out);

    /**
     * Reduces a contiguous block viewed as {@code [outer, n, inner]} along its middle axis into
     * {@code out} viewed as {@code [outer, inner]}, contiguous, at {@code outOffset}.
     *
     * @param x      FLOAT32 (or INT32 for SUM/MAX/MIN) storage holding the input from {@code xOffset}
     * @param out    FLOAT32 storage, or INT32 for ARGMAX and ARGMIN; out has the input's dtype for MAX/MIN/SUM
     */
    void reduce(ReduceOp op, Storage x, int xOffset, int outer, int n, int inner, Storage out, int outOffset);

    /**
     * Softmax (or log-softmax when {@code log}) along the middle axis of a contiguous FLOAT32 block
     * viewed as {@code [outer, n, inner]}, written contiguously to {@code out}. Must stay finite
     * for logits of any magnitude (subtract the maximum first).
     */
    void softmax(Storage x, int xOffset, int outer, int n, int inner, Storage out, int outOffset, boolean log);

    /**
     * Batched matrix multiply {@code c[i] = a[i] x b[i]} for FLOAT32 views {@code a} of shape
     * {@code [batch, m, k]}, {@code b} {@code [batch, k, n]} and {@code c} {@code [batch, m, n]}.
     * Each matrix of {@code a} and {@code b} is row-major (last stride 1) or column-major
     * (second-last stride 1) — a transposed operand costs nothing; the batch stride may be 0 for a
     * broadcast operand. {@code c} is contiguous. When {@code accumulate}, adds to {@code c}.
     */
    void matmul(View a, View b, View c, boolean accumulate);

    /**
     * {@code out[..., j, ...] = x[..., index[..., j, ...], ...]} along {@code axis}: torch.gather.
     * {@code index} (INT32) and {@code out} have one shape; {@code x} matches it on every axis but
     * {@code axis}. {@code x} and {@code out} share a dtype, FLOAT32 or INT32. An index outside {@code [0, x.shape[axis])} throws {@link
     * IllegalArgumentException} naming the op, the index and the size.
     */
    void gather(View x, int axis, View index, View out);

    /**
     * {@code out[..., index[..., j, ...], ...] += src[..., j, ...]} along {@code axis}: the adjoint
     * of {@link #gather}. {@code index} (INT32) and {@code src} have one shape; out is contiguous.
     * Bad indices throw as in {@link #gather}.
     */
    void scatterAdd(View src, int axis, View index, View out);

    // ---------------------------------------------------------------- optional fused kernels: activations

    /**
     * The gradient of {@link #softmax} along the middle axis of contiguous FLOAT32 blocks viewed as
     * {@code [outer, n, inner]}: from the forward output {@code y} and the output gradient {@code g}
     * (both contiguous from their offsets), writes {@code gx = y * (g - sum_n(g * y))} for softmax,
     * or {@code gx = g - exp(y) * sum_n(g)} for log-softmax ({@code y} the log-probabilities),
     * contiguously at {@code gxOffset} (overwritten; {@code gx} may be {@code g} at the same
     * offset). The default composes the elementwise and reduction primitives (four passes, two
     * temporaries); a backend may fuse them.
     */
    default void softmaxBackward(Storage y, int yOffset, Storage g, int gOffset, int outer, int n, int inner,
                                 Storage gx, int gxOffset, boolean log) {
        try (Scratch scratch = Scratch.open()) {
            ComposedActivations.softmaxBackward(this, y, yOffset, g, gOffset, outer, n, inner, gx, gxOffset, log);
        }
    }

    // ---------------------------------------------------------------- optional fused kernels: attention

    /**
     * Scaled dot-product attention for independent problems {@code b}: {@code probs[b] =
     * softmax(scale * q[b] k[b]^T + bias[b])} along the last axis and {@code out[b] = (probs[b] *
     * M[b]) v[b]}, where {@code M} is 1 without dropout and the factors of {@code dropout}
     * otherwise. FLOAT32 views of one rank, at least 3, whose leading dimensions (all but the last
     * two) index the problems and are the same in every view: {@code q [..., L, E]}, {@code k [...,
     * S, E]}, {@code v [..., S, Ev]} and {@code out [..., L, Ev]}, each matrix row-major (last
     * stride 1, rows that do not overlap, any stride along each leading dimension); {@code probs
     * [..., L, S]} contiguous; {@code bias [..., L, S]} any strides, 0 included (a mask broadcast
     * over heads, queries or keys). {@code out} (laid out like the query) and {@code probs} (before
     * dropout) are overwritten. {@code probs} is what {@link #attentionBackward} needs, with the
     * same {@code dropout}, which regenerates {@code M}; the bias is constant, so backward does not
     * need it. The default composes matmul, unary, binary, softmax and fillDropoutMask; a backend
     * may run each problem while its rows are in cache.
     *
     * @param bias    added to the scaled scores, or null for none
     * @param dropout the dropout of the probabilities, or null for none
     */
    default void attention(View q, View k, View v, float scale, View bias, AttentionDropout dropout, View probs,
                           View out) {
        try (Scratch scratch = Scratch.open()) {
            ComposedAttention.forward(this, q, k, v, scale, bias, dropout, probs, out);
        }
    }

    /**
     * The gradient of {@link #attention}: from its inputs, its {@code dropout} and {@code probs}
     * and {@code gradOut} {@code [..., L, Ev]}, writes {@code gq [..., L, E]}, {@code gk [..., S,
     * E]} and {@code gv [..., S, Ev]} (overwritten); every view as in {@link #attention}.
     */
    default void attentionBackward(View q, View k, View v, float scale, AttentionDropout dropout, View probs,
                                   View gradOut, View gq, View gk, View gv) {
        try (Scratch scratch = Scratch.open()) {
            ComposedAttention.backward(this, q, k, v, scale, dropout, probs, gradOut, gq, gk, gv);
        }
    }

    // ---------------------------------------------------------------- optional fused kernels: convolution
    //
    // The defaults below compose the primitives above (gather/scatterAdd with index tables uploaded
    // through upload(int[]), matmul, reduce), so every backend runs convolutions and pooling; a
    // backend overrides them with direct kernels where it can do better. Geometry comes in a
    // Conv2dSpec or Pool2dSpec; all views are NCHW and contiguous unless stated otherwise.

    /**
     * Unfolds images for a convolution ("im2col"): writes {@code cols} {@code [N, C*kH*kW,
     * outH*outW]} (contiguous, overwritten) from {@code x} {@code [N, C, H, W]} (any strides); see
     * {@link Conv2dSpec} for the layout. Padding reads as 0.
     */
    default void im2col(View x, Conv2dSpec spec, View cols) {
        try (Scratch scratch = Scratch.open()) {
            ComposedConv.im2col(this, x, spec, cols);
        }
    }

    /**
     * The adjoint of {@link #im2col} ("col2im"): adds every element of {@code cols} {@code [N,
     * C*kH*kW, outH*outW]} into the position of {@code x} {@code [N, C, H, W]} it was unfolded from
     * (elements from the padding are dropped); modifies {@code x}.
     */
    default void col2im(View cols, Conv2dSpec spec, View x) {
        try (Scratch scratch = Scratch.open()) {
            ComposedConv.col2im(this, cols, spec, x);
        }
    }

    /**
     * A 2-D convolution (cross-correlation, as PyTorch's {@code conv2d}): {@code out[n, o, oy, ox] =
     * bias[o] + sum over c, ky, kx of weight[o, c, ky, kx] * x[n, g*C/groups + c, oy*sH - pH +
     * ky*dH, ox*sW - pW + kx*dW]} with g the group of o. Writes {@code out} {@code [N, OC, outH,
     * outW]} (overwritten); {@code x} is {@code [N, C, H, W]}, {@code weight} {@code [OC, C/groups,
     * kH, kW]}, {@code bias} {@code [OC]} or null. The default unfolds chunks of the batch with
     * {@link #im2col} and multiplies with {@link #matmul}, so its memory stays bounded.
     */
    default void conv2d(View x, View weight, View bias, Conv2dSpec spec, View out) {
        try (Scratch scratch = Scratch.open()) {
            ComposedConv.conv2d(this, x, weight, bias, spec, out);
        }
    }

    /**
     * The gradient of {@link #conv2d} with respect to its input: adds {@code W^T dY} folded back
     * with {@link #col2im} into {@code gradIn} {@code [N, C, H, W]} (modified; core passes zeros);
     * {@code gradOut} is {@code [N, OC, outH, outW]}, {@code weight} {@code [OC, C/groups, kH, kW]}.
     */
    default void conv2dBackwardInput(View gradOut, View weight, Conv2dSpec spec, View gradIn) {
        try (Scratch scratch = Scratch.open()) {
            ComposedConv.backwardInput(this, gradOut, weight, spec, gradIn);
        }
    }

    /**
     * The gradient of {@link #conv2d} with respect to its weight: adds {@code sum over n of dY[n]
     * im2col(x)[n]^T} (per group) into {@code gradWeight} {@code [OC, C/groups, kH, kW]} (modified;
     * core passes zeros); {@code x} is {@code [N, C, H, W]}, {@code gradOut} {@code [N, OC, outH, outW]}.
     */
    default void conv2dBackwardWeight(View x, View gradOut, Conv2dSpec spec, View gradWeight) {
        try (Scratch scratch = Scratch.open()) {
            ComposedConv.backwardWeight(this, x, gradOut, spec, gradWeight);
        }
    }

    // ---------------------------------------------------------------- optional fused kernels: pooling

    /**
     * Max pooling: writes {@code out} {@code [N, C, outH, outW]} (FLOAT32, overwritten) with the
     * maximum of each window of {@code x} {@code [N, C, H, W]} (padding counts as -inf) and {@code
     * indices} (INT32, same shape, overwritten) with the flat position {@code iy * W + ix} of that
     * maximum in its input plane; ties go to the first maximum in row-major window order.
     */
    default void maxPool2d(View x, Pool2dSpec spec, View out, View indices) {
        try (Scratch scratch = Scratch.open()) {
            ComposedPool.maxPool2d(this, x, spec, out, indices);
        }
    }

    /**
     * The gradient of {@link #maxPool2d}: adds each element of {@code gradOut} {@code [N, C, outH,
     * outW]} into {@code gradIn} {@code [N, C, H, W]} (modified) at the position {@code indices}
     * names in its plane.
     */
    default void maxPool2dBackward(View gradOut, View indices, Pool2dSpec spec, View gradIn) {
        try (Scratch scratch = Scratch.open()) {
            ComposedPool.maxPool2dBackward(this, gradOut, indices, spec, gradIn);
        }
    }

    /**
     * Average pooling, sliding or adaptive (see {@link Pool2dSpec}): writes {@code out} {@code [N, C,
     * outH, outW]} (overwritten) with each window's sum over {@link Pool2dSpec#divisor}.
     */
    default void avgPool2d(View x, Pool2dSpec spec, View out) {
        try (Scratch scratch = Scratch.open()) {
            ComposedPool.avgPool2d(this, x, spec, out);
        }
    }

    /**
     * The gradient of {@link #avgPool2d}: adds {@code gradOut[o] / divisor(o)} to every input
     * element of window {@code o} in {@code gradIn} {@code [N, C, H, W]} (modified).
     */
    default void avgPool2dBackward(View gradOut, Pool2dSpec spec, View gradIn) {
        try (Scratch scratch = Scratch.open()) {
            ComposedPool.avgPool2dBackward(this, gradOut, spec, gradIn);
        }
    }

    /**
     * {@code y += alpha * x} elementwise, in place; {@code x} (FLOAT32, possibly broadcast with stride
     * 0) has {@code y}'s shape. The default is a scaled copy and an add; a backend may fuse them.
     */
    default void axpy(View x, float alpha, View y) {
        try (Scratch scratch = Scratch.open()) {
            View scaled = new View(allocate(dev.tessera.DType.FLOAT32, y.numel()), y.shape(),
                    dev.tessera.Shape.contiguousStrides(y.shape()), 0);
            unary(UnaryOp.MUL_SCALAR, alpha, x, scaled);
            binary(BinaryOp.ADD, y, scaled, y);
        }
    }

    /**
     * One LSTM step after the gate products: with {@code pre = gates + hh} ({@code [4, R, C]} views,
     * block {@code k} holding gate {@code k} in the order i, f, g, o; {@code hh} may be null),
     * writes the activated gates {@code act = (sigmoid(i), sigmoid(f), tanh(g), sigmoid(o))} ({@code
     * [4, R, C]}, kept for {@link #lstmCellBackward}), the cell state {@code cNext = f c + i g} and
     * {@code h = o tanh(cNext)} ({@code [R, C]}). {@code c} ({@code [R, C]}) may be null for zeros.
     * Any view may be strided (a step's column block of a whole sequence, say); outputs do not
     * overlap the inputs. The default composes the elementwise primitives in the order of {@code
     * ComposedRecurrent}; a backend may fuse them.
     */
    default void lstmCell(View gates, View hh, View c, View act, View h, View cNext) {
        try (Scratch scratch = Scratch.open()) {
            ComposedRecurrent.lstmCell(this, gates, hh, c, act, h, cNext);
        }
    }

    /**
     * The gradients of {@link #lstmCell}: from the activated gates {@code act} ({@code [4, R, C]}),
     * the previous cell state {@code c} (null for zeros), the new one {@code cNext} and the
     * gradients {@code gh}, {@code gc} reaching {@code h} and {@code cNext} ({@code [R, C]}), writes
     * the gradient of the gate pre-activations {@code gGates} ({@code [4, R, C]}, also that of
     * {@code hh}) and, unless null, that of {@code c}, {@code gC} ({@code [R, C]}). Views may be
     * strided; outputs do not overlap the inputs.
     */
    default void lstmCellBackward(View act, View c, View cNext, View gh, View gc, View gGates, View gC) {
        try (Scratch scratch = Scratch.open()) {
            ComposedRecurrent.lstmCellBackward(this, act, c, cNext, gh, gc, gGates, gC);
        }
    }

    /**
     * One GRU step after the gate products, as PyTorch computes it: from the input side {@code xg}
     * and the hidden side {@code hg = W_hh h + b_hh} ({@code [3, R, C]} views, blocks r, z, n;
     * {@code hg} null for zeros), writes {@code act} ({@code [4, R, C]}: {@code r = sigmoid(x_r +
     * h_r)}, {@code z = sigmoid(x_z + h_z)}, {@code n = tanh(x_n + r h_n)} and {@code h_n}, kept
     * for {@link #gruCellBackward}) and {@code hOut = n + z (h - n)} ({@code [R, C]}; {@code h}
     * null for zeros). Views may be strided; outputs do not overlap the inputs. The default
     * composes the elementwise primitives in the order of {@code ComposedRecurrent}.
     */
    default void gruCell(View xg, View hg, View h, View act, View hOut) {
        try (Scratch scratch = Scratch.open()) {
            ComposedRecurrent.gruCell(this, xg, hg, h, act, hOut);
        }
    }

    /**
     * The gradients of {@link #gruCell} from {@code act}, the previous state {@code h} (null for
     * zeros) and the gradient {@code gh} reaching {@code hOut}: writes those of the input side
     * {@code gXg} and of the hidden side {@code gHg} ({@code [3, R, C]}) and, unless null, the part
     * of the previous state's gradient that does not pass through {@code W_hh}, {@code gH = gh z}.
     * Views may be strided; outputs do not overlap the inputs.
     */
    default void gruCellBackward(View act, View h, View gh, View gXg, View gHg, View gH) {
        try (Scratch scratch = Scratch.open()) {
            ComposedRecurrent.gruCellBackward(this, act, h, gh, gXg, gHg, gH);
        }
    }

    /**
     * Layer normalization of each row of {@code x} ({@code [rows, n]}, contiguous): writes the row
     * means to {@code mean} and the reciprocal standard deviations {@code 1 / sqrt(var + eps)} (biased
     * variance) to {@code rstd} (both {@code [rows]}, contiguous), and {@code out = (x - mean) rstd
     * weight + bias} ({@code [rows, n]}, contiguous); {@code weight} and {@code bias} are {@code [n]}
     * (any stride) or null for none. The default composes the primitives (about ten passes, four
     * temporaries); a backend may do it in two passes. Outputs do not overlap the inputs.
     */
    default void layerNorm(View x, View weight, View bias, float eps, View out, View mean, View rstd) {
        try (Scratch scratch = Scratch.open()) {
            ComposedNorm.layerNorm(this, x, weight, bias, eps, out, mean, rstd);
        }
    }

    /**
     * The gradients of {@link #layerNorm} from its input {@code x}, {@code weight} (null for none),
     * the saved {@code mean} and {@code rstd}, and the gradient {@code gradOut} reaching {@code out}
     * ({@code [rows, n]}, contiguous): writes those wanted (null for the others) to {@code gradX}
     * ({@code [rows, n]}), {@code gradWeight} and {@code gradBias} ({@code [n]}), all contiguous, not
     * overlapping the inputs.
     */
    default void layerNormBackward(View x, View weight, View mean, View rstd, View gradOut, View gradX,
                                   View gradWeight, View gradBias) {
        try (Scratch scratch = Scratch.open()) {
            ComposedNorm.layerNormBackward(this, x, weight, mean, rstd, gradOut, gradX, gradWeight, gradBias);
        }
    }

    /**
     * One Adam/AdamW step, in place: updates {@code param}, {@code expAvg} and {@code expAvgSq}
     * (all FLOAT32, one shape with {@code grad}) by the formulas of {@link AdamSpec}. The default
     * composes the elementwise primitives (about fifteen passes); a backend may fuse it into one.
     */
    default void adamUpdate(View param, View grad, View expAvg, View expAvgSq, AdamSpec spec) {
        try (Scratch scratch = Scratch.open()) {
            ComposedOptim.adam(this, param, grad, expAvg, expAvgSq, spec);
        }
    }

    /**
     * One SGD step, in place, by the formulas of {@link SgdSpec} ({@code d = grad + weightDecay
     * param}; with momentum, {@code buffer = firstStep ? d : momentum buffer + (1 - dampening) d} and
     * {@code d = nesterov ? d + momentum buffer : buffer}; then {@code param -= lr d}): updates
     * {@code param} and {@code buffer} (null when the momentum is 0); {@code grad} is only read. All
     * are FLOAT32 of one shape. The default composes the elementwise primitives (three to six
     * passes); a backend may fuse it into one, rounding each term as the default does.
     */
    default void sgdUpdate(View param, View grad, View buffer, SgdSpec spec) {
        try (Scratch scratch = Scratch.open()) {
            ComposedOptim.sgd(this, param, grad, buffer, spec);
        }
    }

    /**
     * Fills {@code out} (FLOAT32, row-major order) with uniform numbers in {@code [low, high)}:
     * element {@code i} is {@code low + (high - low) * SplitMix.uniform(state, i)}, so every backend
     * gives the same numbers for the same generator state. The default draws on the host.
     */
    default void fillUniform(View out, long state, float low, float high) {
        try (Scratch scratch = Scratch.open()) {
            float[] values = new float[out.numel()];
            float range = high - low;
            for (int i = 0; i < values.length; i++) {
                values[i] = low + range * SplitMix.uniform(state, i);
            }
            copy(new View(upload(values), out.shape(), dev.tessera.Shape.contiguousStrides(out.shape()), 0), out);
        }
    }

    /**
     * Fills {@code out} (FLOAT32, row-major order) with a dropout mask: element {@code i} is {@code
     * keep} where {@code SplitMix.uniform(state, i) >= p}, else 0, the same draws as {@link
     * #fillUniform} over {@code [0, 1)}. The default draws the numbers, compares and scales (three
     * passes); a backend may do it in one.
     */
    default void fillDropoutMask(View out, long state, float p, float keep) {
        try (Scratch scratch = Scratch.open()) {
            fillUniform(out, state, 0f, 1f);
            Storage p1 = allocate(dev.tessera.DType.FLOAT32, 1);
            fill(new View(p1, new int[] {1}, new int[] {1}, 0), p);
            View threshold = new View(p1, out.shape(), new int[out.shape().length], 0);
            binary(BinaryOp.GE, out, threshold, out);
            unary(UnaryOp.MUL_SCALAR, keep, out, out);
        }
    }

    /**
     * Dropout in one op: {@code out[i] = x[i] * M[i]}, where {@code M} is the mask {@link
     * #fillDropoutMask} writes for the same {@code state}, {@code p} and {@code keep}; {@code x} and
     * {@code out} are contiguous FLOAT32 views of one length ({@code out} may be {@code x}), {@code
     * out} is overwritten. Its gradient is the same op on the output's gradient, so backward draws
     * the mask again instead of keeping it. The default fills a temporary with the mask and
     * multiplies; a backend may draw and multiply in one pass.
     */
    default void dropout(View x, long state, float p, float keep, View out) {
        try (Scratch scratch = Scratch.open()) {
            View mask = new View(allocateUninitialised(DType.FLOAT32, x.numel()), x.shape(),
                    dev.tessera.Shape.contiguousStrides(x.shape()), 0);
            fillDropoutMask(mask, state, p, keep);
            binary(BinaryOp.MUL, x, mask, out);
        }
    }

    // ---------------------------------------------------------------- devices and memory

    /**
     * Copies {@code src} (any strides) into a new contiguous storage of {@code src.numel()}
     * elements, row-major, of the same dtype, owned by {@code target}; {@code src} is not
     * modified. This is how tensors move between devices. The default reads {@code src} back to the
     * host and uploads it to {@code target}; a backend overrides it to copy directly between two of
     * its own devices (check {@code target}'s class), delegating to the default otherwise.
     */
    default Storage copyTo(View src, Backend target) {
        return src.storage().dtype() == DType.FLOAT32 ? target.upload(readFloats(src)) : target.upload(readInts(src));
    }

    /**
     * Blocks until every operation queued on this device has finished (a GPU runs kernels
     * asynchronously); reading data back synchronises by itself. The default does nothing, which is
     * right for a backend that runs every primitive before returning, as the CPU does.
     */
    default void synchronize() {
    }

    /**
     * Returns true when {@code storage} was created by this backend (and so may be passed to its
     * primitives); must be cheap (a class or field check). The default, false, suits no real backend:
     * each overrides it.
     */
    default boolean owns(Storage storage) {
        return false;
    }

    /**
     * Returns the storages this backend holds now and their bytes, normally its {@link
     * MemoryLedger#stats}. The default, {@link dev.tessera.MemoryStats#NONE}, is for a backend that
     * does not track its memory.
     */
    default dev.tessera.MemoryStats memoryStats() {
        return dev.tessera.MemoryStats.NONE;
    }

    /** Returns a one-line description for logs and {@link dev.tessera.Device#available()}. */
    default String describe() {
        return device().toString();
    }
}
