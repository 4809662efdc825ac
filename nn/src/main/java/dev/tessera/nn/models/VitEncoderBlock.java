package dev.tessera.nn.models;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.GELU;
import dev.tessera.nn.Init;
import dev.tessera.nn.LayerNorm;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.MultiheadAttention;
import dev.tessera.nn.Sequential;

/**
 * One pre-norm transformer block of a {@link VisionTransformer}, torchvision's {@code
 * EncoderBlock}: {@code x = x + dropout(self_attention(ln_1(x)))}, then {@code x + mlp(ln_2(x))}
 * on {@code [N, L, hidden]} inputs (batch first). Submodules and keys as torchvision 0.14's: {@code
 * ln_1}, {@code self_attention} (a {@link MultiheadAttention}: {@code in_proj_weight}, {@code
 * in_proj_bias}, {@code out_proj}), {@code ln_2}, and {@code mlp} = {@code Linear, GELU, Dropout,
 * Linear, Dropout}, so its linear layers are {@code mlp.0} and {@code mlp.3} (the names
 * torchvision's {@code MLPBlock} has had since version 0.14 replaced {@code mlp.linear_1} and {@code
 * mlp.linear_2}; see {@link VisionTransformer#legacyKeyMap()}). Layer norms use eps 1e-6.
 */
public final class VitEncoderBlock extends Module {
    /**
     * Creates a block of {@code numHeads} heads over {@code hiddenDim} features with an MLP of
     * {@code mlpDim}, initialised as torchvision does (MLP weights Xavier-uniform, biases N(0,
     * 1e-6)) from {@code g} (advanced).
     *
     * @throws IllegalArgumentException if a size is not positive or {@code hiddenDim} is not a
     *                                  multiple of {@code numHeads}
     */
    public VitEncoderBlock(int numHeads, int hiddenDim, int mlpDim, double dropout, double attentionDropout, Generator g) {
        if (mlpDim <= 0) {
            throw new IllegalArgumentException("VitEncoderBlock: mlpDim must be positive, got " + mlpDim);
        }
        registerModule("ln_1", new LayerNorm(new int[] {hiddenDim}, 1e-6, true));
        registerModule("self_attention", new MultiheadAttention(hiddenDim, numHeads, attentionDropout, true, true, g));
        registerModule("dropout", new Dropout(dropout, new Generator(g.nextLong())));
        registerModule("ln_2", new LayerNorm(new int[] {hiddenDim}, 1e-6, true));
        Linear fc1 = new Linear(hiddenDim, mlpDim, true, g);
        Linear fc2 = new Linear(mlpDim, hiddenDim, true, g);
        for (Linear fc : new Linear[] {fc1, fc2}) {
            Init.xavierUniform(fc.weight(), 1.0, g);
            Init.normal(fc.bias(), 0.0, 1e-6, g);
        }
        registerModule("mlp", new Sequential(fc1, new GELU(), new Dropout(dropout, new Generator(g.nextLong())), fc2,
                new Dropout(dropout, new Generator(g.nextLong()))));
    }

    /**
     * Returns the block's output for {@code input} {@code [N, L, hidden]} (a new tensor of that shape).
     *
     * @throws IllegalArgumentException if the input is not 3-D with the block's hidden size
     */
    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() != 3) {
            throw new IllegalArgumentException("VitEncoderBlock: expected (batch, sequence, hidden), got input of shape "
                    + dev.tessera.Shape.str(input.shape()));
        }
        Tensor x = get("ln_1").forward(input);
        x = get("self_attention").forward(x);
        x = get("dropout").forward(x).add(input);
        Tensor y = get("mlp").forward(get("ln_2").forward(x));
        return x.add(y);
    }
}
