package dev.tessera.nn.models;

import dev.tessera.Shape;
import dev.tessera.Tensor;
import dev.tessera.nn.AdaptiveAvgPool2d;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Init;
import dev.tessera.nn.Linear;
import dev.tessera.nn.MaxPool2d;
import dev.tessera.nn.Module;
import java.util.List;

/**
 * Inception v3 (Szegedy et al. 2015), laid out exactly as torchvision's {@code inception_v3}
 * ({@code Inception3}): {@code Conv2d_1a_3x3} (stride 2), {@code Conv2d_2a_3x3}, {@code
 * Conv2d_2b_3x3} (padding 1), {@code maxpool1}, {@code Conv2d_3b_1x1}, {@code Conv2d_4a_3x3},
 * {@code maxpool2}, {@code Mixed_5b}/{@code 5c}/{@code 5d} ({@link InceptionA}), {@code Mixed_6a}
 * ({@link InceptionB}), {@code Mixed_6b}..{@code 6e} ({@link InceptionC}), {@code AuxLogits}
 * ({@link InceptionAux}, only with the auxiliary classifier), {@code Mixed_7a} ({@link
 * InceptionD}), {@code Mixed_7b}/{@code 7c} ({@link InceptionE}), {@code avgpool}, {@code dropout}
 * (0.5) and {@code fc} (Linear(2048, numClasses)); every convolution is a {@link BasicConv2d}.
 * Documented input: 299x299 RGB; at least 75x75 works.
 *
 * <p>{@link #forward(Tensor)} returns the main logits. {@link #outputs(Tensor)} also returns the
 * auxiliary logits in training mode, as torchvision's {@code InceptionOutputs}; in eval mode the
 * auxiliary classifier is not run (its weights still load and save).
 *
 * <p>{@code transformInput}: torchvision's ImageNet weights expect inputs normalised with
 * ImageNet's mean and std but were trained on inputs scaled to {@code [-1, 1]}, so torchvision
 * builds the pretrained model with {@code transform_input=True}, which maps each channel {@code c}
 * to {@code x_c * std_c / 0.5 + (mean_c - 0.5) / 0.5} (mean 0.485, 0.456, 0.406; std 0.229, 0.224,
 * 0.225) before the first convolution. torchvision's builder without weights leaves it off, as
 * {@link #inceptionV3(int, boolean)} does; use {@link #inceptionV3(int, boolean, boolean)} with
 * {@code true} to run torchvision's pretrained weights.
 *
 * <p>Initialised as torchvision does: every convolution and linear weight from a normal
 * distribution with std 0.1 truncated to {@code [-2, 2]} (std 0.001 for the auxiliary {@code fc}),
 * batch norms 1 and 0, linear biases PyTorch's default.
 */
public class Inception extends Module {
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private final int classes;
    private final boolean auxLogits;
    private final boolean transformInput;

    /** Returns torchvision's {@code inception_v3(num_classes=numClasses, aux_logits=auxLogits)}, without input transform. */
    public static Inception inceptionV3(int numClasses, boolean auxLogits) {
        return new Inception(numClasses, auxLogits, false);
    }

    /**
     * Returns torchvision's {@code inception_v3(num_classes=numClasses, aux_logits=auxLogits,
     * transform_input=transformInput)} (27,161,264 parameters with 1000 classes and the auxiliary
     * classifier, 23,834,568 without).
     */
    public static Inception inceptionV3(int numClasses, boolean auxLogits, boolean transformInput) {
        return new Inception(numClasses, auxLogits, transformInput);
    }

    /**
     * Creates the network.
     *
     * @throws IllegalArgumentException if {@code numClasses < 1}
     */
    public Inception(int numClasses, boolean auxLogits, boolean transformInput) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("Inception: numClasses must be >= 1, got " + numClasses);
        }
        this.classes = numClasses;
        this.auxLogits = auxLogits;
        this.transformInput = transformInput;
        registerModule("Conv2d_1a_3x3", new BasicConv2d(3, 32, 3, 2, 0));
        registerModule("Conv2d_2a_3x3", new BasicConv2d(32, 32, 3));
        registerModule("Conv2d_2b_3x3", new BasicConv2d(32, 64, 3, 1, 1));
        registerModule("maxpool1", new MaxPool2d(3, 2, 0));
        registerModule("Conv2d_3b_1x1", new BasicConv2d(64, 80, 1));
        registerModule("Conv2d_4a_3x3", new BasicConv2d(80, 192, 3));
        registerModule("maxpool2", new MaxPool2d(3, 2, 0));
        registerModule("Mixed_5b", new InceptionA(192, 32));
        registerModule("Mixed_5c", new InceptionA(256, 64));
        registerModule("Mixed_5d", new InceptionA(288, 64));
        registerModule("Mixed_6a", new InceptionB(288));
        registerModule("Mixed_6b", new InceptionC(768, 128));
        registerModule("Mixed_6c", new InceptionC(768, 160));
        registerModule("Mixed_6d", new InceptionC(768, 160));
        registerModule("Mixed_6e", new InceptionC(768, 192));
        if (auxLogits) {
            registerModule("AuxLogits", new InceptionAux(768, numClasses));
        }
        registerModule("Mixed_7a", new InceptionD(768));
        registerModule("Mixed_7b", new InceptionE(1280));
        registerModule("Mixed_7c", new InceptionE(2048));
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        registerModule("dropout", new Dropout(0.5));
        registerModule("fc", new Linear(2048, numClasses));
        for (Module m : modules()) {
            if (m instanceof Conv2d c) {
                Init.truncNormal(c.weight(), 0.0, 0.1, -2, 2);
            } else if (m instanceof Linear l) {
                Init.truncNormal(l.weight(), 0.0, 0.1, -2, 2);
            }
        }
        if (auxLogits) {
            // torchvision's "stddev" attribute reaches the auxiliary fc only (its conv1's is set on the wrapper).
            Init.truncNormal(((Linear) get("AuxLogits.fc")).weight(), 0.0, 0.001, -2, 2);
        }
    }

    /** Returns the number of classes. */
    public int numClasses() {
        return classes;
    }

    /** Returns whether the network has the auxiliary classifier ({@code AuxLogits}). */
    public boolean hasAuxLogits() {
        return auxLogits;
    }

    /** Returns whether the input is transformed as torchvision's {@code transform_input} (see the class comment). */
    public boolean transformInput() {
        return transformInput;
    }

    /**
     * Returns the main logits {@code [N, numClasses]} for images {@code [N, 3, H, W]} (H, W >= 75);
     * the auxiliary classifier is not run.
     *
     * @throws IllegalArgumentException if the input is not {@code [N, 3, H, W]} with H, W >= 75
     */
    @Override
    public Tensor forward(Tensor input) {
        return run(input, false).logits();
    }

    /**
     * Returns the main logits and, in training mode with the auxiliary classifier, the auxiliary
     * logits (torchvision's {@code InceptionOutputs}); in eval mode the auxiliary logits are null.
     *
     * @throws IllegalArgumentException if the input is not {@code [N, 3, H, W]} with H, W >= 75, or
     *                                  in training mode with the auxiliary classifier it is smaller
     *                                  than the 299x299 that classifier needs
     */
    public InceptionOutputs outputs(Tensor input) {
        return run(input, true);
    }

    private InceptionOutputs run(Tensor input, boolean withAux) {
        if (input.dim() != 4 || input.size(1) != 3 || input.size(2) < 75 || input.size(3) < 75) {
            throw new IllegalArgumentException("Inception: expected input [N, 3, H, W] with H, W >= 75, got "
                    + Shape.str(input.shape()));
        }
        Tensor x = transformInput ? transform(input) : input;
        for (String name : List.of("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1",
                "Conv2d_4a_3x3", "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c",
                "Mixed_6d", "Mixed_6e")) {
            x = get(name).forward(x);
        }
        Tensor aux = null;
        if (withAux && auxLogits && isTraining()) {
            if (x.size(2) < 17 || x.size(3) < 17) {
                throw new IllegalArgumentException("Inception: the auxiliary classifier needs a 17x17 map after Mixed_6e"
                        + " (inputs of 299x299), got " + Shape.str(x.shape()) + " from input " + Shape.str(input.shape()));
            }
            aux = get("AuxLogits").forward(x);
        }
        for (String name : List.of("Mixed_7a", "Mixed_7b", "Mixed_7c", "avgpool", "dropout")) {
            x = get(name).forward(x);
        }
        return new InceptionOutputs(get("fc").forward(x.flatten(1, -1)), aux);
    }

    /** torchvision's {@code _transform_input}: channel c becomes {@code x_c * std_c / 0.5 + (mean_c - 0.5) / 0.5}. */
    private static Tensor transform(Tensor x) {
        Tensor[] channels = new Tensor[3];
        for (int c = 0; c < 3; c++) {
            channels[c] = x.slice(1, c, c + 1).mul(STD[c] / 0.5f).add((MEAN[c] - 0.5f) / 0.5f);
        }
        return Tensor.cat(List.of(channels), 1);
    }

    /** The 3x3, stride-1, padding-1 average pool (padding counted) of Inception's pool branches. */
    static Tensor avgPool3x3(Tensor x) {
        return x.avgPool2d(new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, true);
    }

    /** The 3x3, stride-2 max pool of Inception's grid reductions. */
    static Tensor maxPool3x3Stride2(Tensor x) {
        return x.maxPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0});
    }
}
