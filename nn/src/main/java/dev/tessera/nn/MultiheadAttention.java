package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Multi-head attention, like {@code torch.nn.MultiheadAttention}: the query, key and value are
 * projected by one packed {@code in_proj_weight [3E, E]} (rows {@code 0..E-1} for the query,
 * {@code E..2E-1} for the key, {@code 2E..3E-1} for the value) plus {@code in_proj_bias [3E]},
 * split into {@code numHeads} heads of size {@code E / numHeads}, attended with {@link
 * F#scaledDotProductAttention(Tensor, Tensor, Tensor, AttentionMask, float, boolean, Generator)},
 * joined and projected by the {@link Linear} submodule {@code out_proj}. The state dict is
 * PyTorch's: {@code in_proj_weight}, {@code in_proj_bias}, {@code out_proj.weight}, {@code
 * out_proj.bias} (the biases absent when built without bias).
 *
 * <p>Inputs are {@code [L, N, E]} (sequence first, PyTorch's default) or {@code [N, L, E]} when
 * built with {@code batchFirst}; unbatched {@code [L, E]} inputs are accepted too. Initialised as
 * PyTorch: Xavier-uniform {@code in_proj_weight}, zero biases, {@code out_proj.weight} as a {@link
 * Linear}. In training mode the attention probabilities are dropped with probability {@code
 * dropout}, drawn from this module's {@link Generator}; in eval mode nothing is dropped.
 */
public class MultiheadAttention extends Module implements Stochastic {
    private final int embedDim;
    private final int numHeads;
    private final float dropout;
    private final boolean hasBias;
    private final boolean batchFirst;
    private final Generator generator;

    /**
     * The result of {@link #forward(Tensor, Tensor, Tensor, AttentionMask, AttentionMask, boolean)}.
     *
     * @param output  the attention output, shaped like the query ({@code [L, N, E]}, or {@code [N,
     *                L, E]} with batchFirst)
     * @param weights the attention weights {@code [N, L, S]} averaged over heads (or {@code [N, H,
     *                L, S]} per head), after dropout as in PyTorch; null unless asked for
     */
    public record Result(Tensor output, Tensor weights) {
    }

    /** Creates {@code numHeads} heads over {@code embedDim} features: no dropout, with biases, sequence first. */
    public MultiheadAttention(int embedDim, int numHeads) {
        this(embedDim, numHeads, 0.0, true, false);
    }

    /**
     * Creates {@code numHeads} heads over {@code embedDim} features with attention dropout {@code
     * dropout}, biases if {@code bias}, inputs {@code [N, L, E]} if {@code batchFirst}; initial
     * values and dropout masks come from {@link Random}.
     */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst) {
        this(embedDim, numHeads, dropout, bias, batchFirst, Random.newGenerator());
    }

    /**
     * As {@link #MultiheadAttention(int, int, double, boolean, boolean)}, drawing the initial values
     * from {@code g} (advanced) and seeding the dropout generator from it.
     *
     * @throws IllegalArgumentException if a size is not positive, {@code embedDim} is not divisible
     *                                  by {@code numHeads}, or {@code dropout} is outside {@code [0, 1]}
     */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst, Generator g) {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim must be a positive multiple of numHeads, got"
                    + " embedDim=" + embedDim + ", numHeads=" + numHeads);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1], got " + dropout);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.dropout = (float) dropout;
        this.hasBias = bias;
        this.batchFirst = batchFirst;
        Init.xavierUniform(registerParameter("in_proj_weight", Tensor.zeros(3 * embedDim, embedDim)), 1.0, g);
        if (bias) {
            registerParameter("in_proj_bias", Tensor.zeros(3 * embedDim));
        }
        Linear outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, g));
        if (bias) {
            Init.zeros(outProj.bias());
        }
        this.generator = new Generator(g.nextLong());
    }

    /** Returns the embedding size E. */
    public int embedDim() {
        return embedDim;
    }

    /** Returns the number of heads. */
    public int numHeads() {
        return numHeads;
    }

    /** Returns the size of one head, {@code E / numHeads}. */
    public int headDim() {
        return embedDim / numHeads;
    }

    /** Returns the attention dropout probability. */
    public double dropout() {
        return dropout;
    }

    /** Returns true when inputs are {@code [N, L, E]}. */
    public boolean batchFirst() {
        return batchFirst;
    }

    /** Returns the packed projection weight {@code [3E, E]}. */
    public Tensor inProjWeight() {
        return parameter("in_proj_weight");
    }

    /** Returns the packed projection bias {@code [3E]}, or null without biases. */
    public Tensor inProjBias() {
        return hasBias ? parameter("in_proj_bias") : null;
    }

    /** Returns the output projection {@code out_proj}. */
    public Linear outProj() {
        return (Linear) get("out_proj");
    }

    @Override
    public Generator generator() {
        return generator;
    }

    /** Returns the self-attention output of {@code x} (query = key = value), shaped like {@code x}. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, null, false).output();
    }

    /**
     * Returns the attention output of {@code query} over {@code key}/{@code value} and, if {@code
     * needWeights}, the weights averaged over heads; see {@link #forward(Tensor, Tensor, Tensor,
     * AttentionMask, AttentionMask, boolean, boolean)}.
     */
    public Result forward(Tensor query, Tensor key, Tensor value, AttentionMask keyPaddingMask, AttentionMask attnMask,
            boolean needWeights) {
        return forward(query, key, value, keyPaddingMask, attnMask, needWeights, true);
    }

    /**
     * Attends {@code query} ({@code [L, N, E]}, {@code [N, L, E]} with batchFirst, or {@code [L,
     * E]}) over {@code key} and {@code value} ({@code S} positions, same layout); nothing is
     * modified. Passing the same tensor for query, key and value runs one fused projection.
     *
     * @param keyPaddingMask null, or a mask over keys {@code [N, S]} ({@code [S]} unbatched), e.g.
     *                       {@code AttentionMask.block(padding)} with 1 at padded keys
     * @param attnMask       null, or a mask {@code [L, S]} or {@code [N * numHeads, L, S]} (or
     *                       {@link AttentionMask#causal()})
     * @param needWeights    whether to return the attention weights
     * @param averageWeights whether the weights are averaged over heads ({@code [N, L, S]}) or not
     *                       ({@code [N, H, L, S]})
     * @throws IllegalArgumentException naming the shapes if the inputs or masks do not fit
     */
    public Result forward(Tensor query, Tensor key, Tensor value, AttentionMask keyPaddingMask, AttentionMask attnMask,
            boolean needWeights, boolean averageWeights) {
        Objects.requireNonNull(query, "MultiheadAttention: query must not be null");
        Objects.requireNonNull(key, "MultiheadAttention: key must not be null");
        Objects.requireNonNull(value, "MultiheadAttention: value must not be null");
        boolean unbatched = query.dim() == 2;
        int batchDim = batchFirst ? 0 : 1;
        Tensor q = unbatched ? query.unsqueeze(batchDim) : query;
        Tensor k = unbatched && key.dim() == 2 ? key.unsqueeze(batchDim) : key;
        Tensor v = unbatched && value.dim() == 2 ? value.unsqueeze(batchDim) : value;
        checkInputs(query, key, value, q, k, v, batchDim);
        int n = q.size(batchDim);
        int l = q.size(1 - batchDim);
        int s = k.size(1 - batchDim);

        Tensor[] qkv = project(query == key && key == value, key == value, q, k, v);
        AttentionMask mask = null;
        if (keyPaddingMask != null) {
            mask = keyPaddingMask.mapTensors(t -> paddingMask(t, unbatched, n, s));
        }
        if (attnMask != null) {
            mask = attnMask.mapTensors(t -> attnMask(t, n, l, s)).and(mask);
        }
        float p = isTraining() ? dropout : 0f;
        Attention.Result r = Attention.compute(typeName(), heads(qkv[0]), heads(qkv[1]), heads(qkv[2]), mask, p,
                generator, needWeights);
        // [N, H, L, D] -> [L, N, H, D] or [N, L, H, D] -> [.., E]
        Tensor joined = (batchFirst ? r.output().permute(0, 2, 1, 3) : r.output().permute(2, 0, 1, 3))
                .reshape(batchFirst ? new int[] {n, l, embedDim} : new int[] {l, n, embedDim});
        Tensor out = outProj().forward(joined);
        Tensor weights = null;
        if (needWeights) {
            weights = averageWeights ? r.weights().mean(1, false) : r.weights();
            weights = unbatched ? weights.squeeze(0) : weights;
        }
        return new Result(unbatched ? out.squeeze(batchDim) : out, weights);
    }

    /** Projects the inputs with the packed weight: one product for self-attention, two when key is value. */
    private Tensor[] project(boolean self, boolean keyIsValue, Tensor q, Tensor k, Tensor v) {
        Tensor w = inProjWeight();
        Tensor b = inProjBias();
        int e = embedDim;
        if (self) {
            Tensor all = F.linear(q, w, b);
            return new Tensor[] {all.slice(-1, 0, e), all.slice(-1, e, 2 * e), all.slice(-1, 2 * e, 3 * e)};
        }
        Tensor pq = F.linear(q, w.slice(0, 0, e), b == null ? null : b.slice(0, 0, e));
        if (keyIsValue) {
            Tensor kv = F.linear(k, w.slice(0, e, 3 * e), b == null ? null : b.slice(0, e, 3 * e));
            return new Tensor[] {pq, kv.slice(-1, 0, e), kv.slice(-1, e, 2 * e)};
        }
        Tensor pk = F.linear(k, w.slice(0, e, 2 * e), b == null ? null : b.slice(0, e, 2 * e));
        Tensor pv = F.linear(v, w.slice(0, 2 * e, 3 * e), b == null ? null : b.slice(0, 2 * e, 3 * e));
        return new Tensor[] {pq, pk, pv};
    }

    /** {@code [L, N, E]} (or {@code [N, L, E]}) to {@code [N, H, L, D]}, a view. */
    private Tensor heads(Tensor x) {
        int d0 = x.size(0);
        int d1 = x.size(1);
        Tensor split = x.reshape(d0, d1, numHeads, embedDim / numHeads);
        return batchFirst ? split.permute(0, 2, 1, 3) : split.permute(1, 2, 0, 3);
    }

    private Tensor paddingMask(Tensor t, boolean unbatched, int n, int s) {
        int[] want = unbatched ? new int[] {s} : new int[] {n, s};
        if (!Arrays.equals(t.shape(), want)) {
            throw new IllegalArgumentException(this.typeName() + ": key padding mask of shape " + Shape.str(t.shape())
                    + " must be " + Shape.str(want) + " (batch, source length)");
        }
        return t.reshape(n, 1, 1, s);
    }

    private Tensor attnMask(Tensor t, int n, int l, int s) {
        if (t.dim() == 2 && t.size(0) == l && t.size(1) == s) {
            return t;
        }
        if (t.dim() == 3 && t.size(0) == n * numHeads && t.size(1) == l && t.size(2) == s) {
            return t.reshape(n, numHeads, l, s);
        }
        throw new IllegalArgumentException(typeName() + ": attention mask of shape " + Shape.str(t.shape()) + " must be "
                + Shape.str(l, s) + " or " + Shape.str(n * numHeads, l, s) + " (batch * heads, target, source)");
    }

    private void checkInputs(Tensor query, Tensor key, Tensor value, Tensor q, Tensor k, Tensor v, int batchDim) {
        boolean ok = q.dim() == 3 && k.dim() == 3 && v.dim() == 3
                && q.size(-1) == embedDim && k.size(-1) == embedDim && v.size(-1) == embedDim
                && k.size(batchDim) == q.size(batchDim) && v.size(batchDim) == q.size(batchDim)
                && k.size(1 - batchDim) == v.size(1 - batchDim);
        if (!ok) {
            String layout = batchFirst ? "[N, L, E]" : "[L, N, E]";
            throw new IllegalArgumentException(typeName() + "(embedDim=" + embedDim + ", numHeads=" + numHeads
                    + "): query " + Shape.str(query.shape()) + ", key " + Shape.str(key.shape()) + ", value "
                    + Shape.str(value.shape()) + " must all be " + layout + " (or unbatched [L, E]) with E = " + embedDim
                    + ", one batch size, and key and value of one length");
        }
    }

    @Override
    protected String extraRepr() {
        return "embedDim=" + embedDim + ", numHeads=" + numHeads + ", dropout=" + dropout + ", bias=" + hasBias
                + ", batchFirst=" + batchFirst;
    }
}
