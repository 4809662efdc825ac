package dev.tessera.nn.models;

import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.Init;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.Random;
import dev.tessera.nn.transfer.KeyMap;
import java.util.List;

/**
 * The Vision Transformer (Dosovitskiy et al. 2020) laid out exactly as torchvision 0.14's {@code
 * VisionTransformer}, so that a torchvision {@code state_dict} exported to safetensors loads by
 * name: {@code class_token} {@code [1, 1, hidden]}, {@code conv_proj} (a {@code patch x patch}
 * convolution with stride {@code patch} that cuts the image into patch embeddings), {@code encoder}
 * ({@link VitEncoder}: {@code encoder.pos_embedding}, {@code encoder.layers.encoder_layer_N.*},
 * {@code encoder.ln}) and {@code heads.head} (a {@link Linear}), in that state-dict order.
 *
 * <p>The forward takes {@code [N, 3, imageSize, imageSize]} images, embeds the patches, prepends
 * the class token, runs the encoder and classifies the class token's output: {@code [N,
 * numClasses]} logits. GELU is the exact (erf) form, layer norms use eps 1e-6, as in torchvision.
 *
 * <p>Initialised as torchvision does: {@code conv_proj} weight N(0, 1 / fan_in) (torchvision's
 * truncation at +-2 never applies at that scale) and bias 0, class token 0, the head's weight and
 * bias 0 (the logits of a new model are all zero until it is trained or loaded).
 */
public class VisionTransformer extends Module {
    private final int imageSize;
    private final int patchSize;
    private final int hiddenDim;
    private final int numClasses;

    /**
     * Returns ViT-B/16 for 224x224 images (patch 16, 12 layers, 12 heads, hidden 768, MLP 3072;
     * 86,567,656 parameters with 1000 classes), torchvision's {@code vit_b_16}.
     */
    public static VisionTransformer vitB16(int numClasses) {
        return new VisionTransformer(224, 16, 12, 12, 768, 3072, numClasses);
    }

    /** Returns ViT-B/32 for 224x224 images (patch 32, otherwise as ViT-B/16), torchvision's {@code vit_b_32}. */
    public static VisionTransformer vitB32(int numClasses) {
        return new VisionTransformer(224, 32, 12, 12, 768, 3072, numClasses);
    }

    /** Returns ViT-L/16 for 224x224 images (24 layers, 16 heads, hidden 1024, MLP 4096), torchvision's {@code vit_l_16}. */
    public static VisionTransformer vitL16(int numClasses) {
        return new VisionTransformer(224, 16, 24, 16, 1024, 4096, numClasses);
    }

    /**
     * Creates a vision transformer without dropout, initial values drawn from a generator of
     * {@link Random}; see {@link #VisionTransformer(int, int, int, int, int, int, int, double, double,
     * Generator)}.
     */
    public VisionTransformer(int imageSize, int patchSize, int numLayers, int numHeads, int hiddenDim, int mlpDim,
            int numClasses) {
        this(imageSize, patchSize, numLayers, numHeads, hiddenDim, mlpDim, numClasses, 0.0, 0.0, Random.newGenerator());
    }

    /**
     * Creates a vision transformer for {@code imageSize x imageSize} RGB images cut into {@code
     * patchSize x patchSize} patches, with {@code numLayers} blocks of {@code numHeads} heads over
     * {@code hiddenDim} features and MLPs of {@code mlpDim}, classifying into {@code numClasses};
     * {@code dropout} after the embeddings, attention and MLP layers and {@code attentionDropout} on
     * the attention probabilities (training mode only); initial values drawn from {@code g}
     * (advanced).
     *
     * @throws IllegalArgumentException if a size is not positive, {@code imageSize} is not a
     *                                  multiple of {@code patchSize}, or {@code hiddenDim} is not a
     *                                  multiple of {@code numHeads}
     */
    public VisionTransformer(int imageSize, int patchSize, int numLayers, int numHeads, int hiddenDim, int mlpDim,
            int numClasses, double dropout, double attentionDropout, Generator g) {
        if (imageSize <= 0 || patchSize <= 0 || imageSize % patchSize != 0 || numLayers <= 0 || numHeads <= 0
                || hiddenDim <= 0 || hiddenDim % numHeads != 0 || mlpDim <= 0 || numClasses <= 0) {
            throw new IllegalArgumentException("VisionTransformer: needs positive sizes, imageSize a multiple of patchSize"
                    + " and hiddenDim a multiple of numHeads, got imageSize=" + imageSize + ", patchSize=" + patchSize
                    + ", numLayers=" + numLayers + ", numHeads=" + numHeads + ", hiddenDim=" + hiddenDim + ", mlpDim="
                    + mlpDim + ", numClasses=" + numClasses);
        }
        this.imageSize = imageSize;
        this.patchSize = patchSize;
        this.hiddenDim = hiddenDim;
        this.numClasses = numClasses;
        registerParameter("class_token", Tensor.zeros(1, 1, hiddenDim));
        Conv2d proj = registerModule("conv_proj", new Conv2d(3, hiddenDim, new int[] {patchSize, patchSize},
                new int[] {patchSize, patchSize}, new int[] {0, 0}, new int[] {1, 1}, 1, true));
        Init.normal(proj.weight(), 0.0, Math.sqrt(1.0 / (3.0 * patchSize * patchSize)), g);
        Init.zeros(proj.bias());
        int seqLength = (imageSize / patchSize) * (imageSize / patchSize) + 1;
        registerModule("encoder", new VitEncoder(seqLength, numLayers, numHeads, hiddenDim, mlpDim, dropout,
                attentionDropout, g));
        Linear head = new Linear(hiddenDim, numClasses, true, g);
        Init.zeros(head.weight());
        Init.zeros(head.bias());
        registerModule("heads", new NamedSequential().add("head", head));
    }

    /** Returns the image size the model takes (height and width). */
    public int imageSize() {
        return imageSize;
    }

    /** Returns the patch size. */
    public int patchSize() {
        return patchSize;
    }

    /** Returns the number of classes of the head. */
    public int numClasses() {
        return numClasses;
    }

    /**
     * Returns a key map for exports of torchvision before 0.14, whose MLP layers were named {@code
     * mlp.linear_1} and {@code mlp.linear_2}: they become {@code mlp.0} and {@code mlp.3}, as
     * torchvision's own {@code MLPBlock._load_from_state_dict} renames them. Pass it in {@link
     * dev.tessera.nn.transfer.LoadOptions}.
     */
    public static KeyMap legacyKeyMap() {
        return KeyMap.builder()
                .replaceRegex("\\.mlp\\.linear_1\\.", ".mlp.0.")
                .replaceRegex("\\.mlp\\.linear_2\\.", ".mlp.3.")
                .build();
    }

    /**
     * Returns the class token's final representation {@code [N, hidden]} for {@code images} {@code
     * [N, 3, imageSize, imageSize]} (the input of the head; a new tensor).
     *
     * @throws IllegalArgumentException if the images are not {@code [N, 3, imageSize, imageSize]}
     */
    public Tensor features(Tensor images) {
        if (images.dim() != 4 || images.size(1) != 3 || images.size(2) != imageSize || images.size(3) != imageSize) {
            throw new IllegalArgumentException("VisionTransformer: expected images of shape [N, 3, " + imageSize + ", "
                    + imageSize + "], got " + Shape.str(images.shape()));
        }
        int n = images.size(0);
        int patches = (imageSize / patchSize) * (imageSize / patchSize);
        Tensor x = get("conv_proj").forward(images).reshape(n, hiddenDim, patches).permute(0, 2, 1);
        Tensor cls = parameter("class_token").expand(n, 1, hiddenDim);
        x = get("encoder").forward(Tensor.cat(List.of(cls, x), 1));
        return x.select(1, 0);
    }

    /**
     * Returns the logits {@code [N, numClasses]} for {@code images} {@code [N, 3, imageSize,
     * imageSize]} (a new tensor).
     *
     * @throws IllegalArgumentException if the images are not {@code [N, 3, imageSize, imageSize]}
     */
    @Override
    public Tensor forward(Tensor images) {
        return get("heads").forward(features(images));
    }

    @Override
    protected String extraRepr() {
        return "imageSize=" + imageSize + ", patchSize=" + patchSize + ", hiddenDim=" + hiddenDim + ", numClasses="
                + numClasses;
    }
}
