package dev.tessera.nn.transfer;

import dev.tessera.Device;
import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.data.Batch;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.data.TensorDataset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feature extraction: runs a frozen backbone once over a dataset and caches its outputs, so that a
 * new head trains on the cached features, which is much faster than running the backbone every
 * epoch and gives the same head (the backbone's output does not change while it is frozen and in
 * eval mode).
 *
 * <pre>{@code
 * Module backbone = Heads.remove(pretrainedModel, "fc").freeze();   // outputs the 512 features
 * TensorDataset features = FeatureExtractor.extract(backbone, images, 256);
 * Linear head = Heads.linear(features.numFeatures(), 3, new Generator(7));
 * Trainer.builder(head, new Adam(head.parameters(), 1e-2f), F::crossEntropy).epochs(30).build()
 *        .fit(new DataLoader(features, 32, true, 7), null);
 * Module model = new Sequential(backbone, head);                    // for inference on images
 * }</pre>
 */
public final class FeatureExtractor {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureExtractor.class);

    private FeatureExtractor() {
    }

    /**
     * Returns {@code backbone}'s outputs for every example of {@code dataset}, in dataset order,
     * with the dataset's targets (and class names, for a {@link TensorDataset}): a new dataset of
     * features {@code [n, ...]} and targets, both on the backbone's device. The backbone runs in eval mode (dropout
     * off, BatchNorm running statistics used, nothing updated) without recording gradients, in
     * batches of {@code batchSize}; its mode is restored afterwards and its parameters are not
     * modified (freezing it, e.g. with {@link Module#freeze()}, is the caller's choice).
     *
     * @throws IllegalArgumentException if {@code batchSize} is below 1 or the dataset is empty
     */
    public static TensorDataset extract(Module backbone, Dataset dataset, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("FeatureExtractor.extract: batchSize must be >= 1, got " + batchSize);
        }
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("FeatureExtractor.extract: the dataset is empty");
        }
        List<Tensor> params = backbone.parameters();
        Device device = params.isEmpty() ? Device.cpu() : params.get(0).device();
        boolean wasTraining = backbone.isTraining();
        backbone.eval();
        long start = System.nanoTime();
        List<Tensor> features = new ArrayList<>();
        List<Tensor> targets = new ArrayList<>();
        try (var ng = Tensor.noGrad()) {
            Iterator<Batch> it = new DataLoader(dataset, batchSize, false, 0).iterator(0, 0);
            while (it.hasNext()) {
                Batch b = it.next();
                features.add(backbone.forward(b.features().to(device)).detach());
                targets.add(b.targets().to(device));
            }
        } finally {
            backbone.train(wasTraining);
        }
        Tensor x = features.size() == 1 ? features.get(0) : Tensor.cat(features, 0);
        Tensor y = targets.size() == 1 ? targets.get(0) : Tensor.cat(targets, 0);
        LOG.debug("Extracted features {} from {} examples in {} ms", java.util.Arrays.toString(x.shape()), dataset.size(),
                (System.nanoTime() - start) / 1_000_000);
        List<String> names = dataset instanceof TensorDataset td ? td.classNames() : List.of();
        return new TensorDataset(x, y, names);
    }
}
