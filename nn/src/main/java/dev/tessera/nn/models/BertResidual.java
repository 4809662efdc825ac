package dev.tessera.nn.models;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.LayerNorm;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;

/**
 * The post-norm residual step of a BERT layer, Hugging Face's {@code BertSelfOutput} and {@code
 * BertOutput}: {@code LayerNorm(dropout(dense(x)) + residual)}, keys {@code dense.*} and {@code
 * LayerNorm.*}.
 */
final class BertResidual extends Module {
    BertResidual(int in, BertConfig config, Generator g) {
        BertModel.initLinear(registerModule("dense", new Linear(in, config.hiddenSize(), true, g)), g);
        registerModule("LayerNorm", new LayerNorm(new int[] {config.hiddenSize()}, config.layerNormEps(), true));
        registerModule("dropout", new Dropout(config.hiddenDropout(), new Generator(g.nextLong())));
    }

    /** Not a residual step on its own: {@code LayerNorm(dropout(dense(x)))}. */
    @Override
    public Tensor forward(Tensor x) {
        return get("LayerNorm").forward(get("dropout").forward(get("dense").forward(x)));
    }

    /** Returns {@code LayerNorm(dropout(dense(x)) + residual)} (a new tensor). */
    Tensor forward(Tensor x, Tensor residual) {
        return get("LayerNorm").forward(get("dropout").forward(get("dense").forward(x)).add(residual));
    }
}
