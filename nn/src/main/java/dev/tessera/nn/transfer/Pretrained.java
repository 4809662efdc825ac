package dev.tessera.nn.transfer;

import dev.tessera.DType;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads pretrained weights into a model whose architecture is the same up to its head: from a
 * Tessera state dict saved with {@link #save} or {@link SafeTensors#save}, from a {@link
 * dev.tessera.nn.train.Trainer} checkpoint (a file or its directory; only the {@code model.}
 * tensors are used), or from a PyTorch {@code state_dict} exported to safetensors. Tessera names
 * parameters as PyTorch does, so a torchvision ResNet-18 loads into {@code ResNet.resnet18} as is:
 *
 * <pre>
 * # Python: export torchvision's ResNet-18 weights
 * import torch, torchvision
 * from safetensors.torch import save_file
 * m = torchvision.models.resnet18(weights="IMAGENET1K_V1")
 * save_file({k: v.contiguous() for k, v in m.state_dict().items()}, "resnet18.safetensors")
 * </pre>
 *
 * <pre>{@code
 * ResNet model = ResNet.resnet18(3);                       // a new 3-class head
 * TransferReport r = Pretrained.load(model, Path.of("resnet18.safetensors"), LoadOptions.defaults());
 * // r.skipped(): fc.weight [1000, 512] vs [3, 512] and fc.bias: SHAPE_MISMATCH, left at their initial values
 * }</pre>
 *
 * <p>Nothing is loaded unless every check passes. Values are converted to the model tensors' dtype
 * and device and copied into them in place (optimizers holding them keep working). PyTorch saves
 * {@code num_batches_tracked} as int64 ({@code I64} in safetensors): it loads into Tessera's INT32
 * counter (a value outside the int range is an error naming the tensor), and the report lists the
 * conversion. A state dict without those counters loads too: as in PyTorch 1.13, the counter of a
 * batch norm whose statistics were loaded is set to 0 ({@link TransferReport#defaulted()}).
 */
public final class Pretrained {
    private static final Logger LOG = LoggerFactory.getLogger(Pretrained.class);
    private static final String CHECKPOINT_FILE = "checkpoint.safetensors";
    private static final String CHECKPOINT_FORMAT = "tessera-checkpoint";
    private static final String MODEL_PREFIX = "model.";

    private Pretrained() {
    }

    /**
     * Writes {@code model}'s state dict (parameters and buffers) to {@code file} as safetensors,
     * with the model's class name as metadata; the model is not modified.
     *
     * @throws IOException if the file cannot be written (naming it)
     */
    public static void save(Module model, Path file) throws IOException {
        SafeTensors.save(model.stateDict(), Map.of("tessera.model", model.getClass().getName()), file);
    }

    /**
     * Reads a state dict from {@code path}: a safetensors file, a Trainer checkpoint file (its
     * {@code model.} tensors, prefix removed) or a directory holding {@code checkpoint.safetensors}.
     * Returns the tensors by key in file order, on the CPU.
     *
     * @throws IOException if the file is missing, unreadable or malformed (naming it)
     */
    public static Map<String, Tensor> read(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(CHECKPOINT_FILE) : path;
        SafeTensors.Contents contents = SafeTensors.read(file);
        String format = contents.metadata().getOrDefault("format", "");
        if (!format.startsWith(CHECKPOINT_FORMAT)) {
            return contents.tensors();
        }
        Map<String, Tensor> model = new LinkedHashMap<>();
        contents.tensors().forEach((k, v) -> {
            if (k.startsWith(MODEL_PREFIX)) {
                model.put(k.substring(MODEL_PREFIX.length()), v);
            }
        });
        LOG.debug("{}: a {} checkpoint; using its {} model tensors", file, format, model.size());
        return model;
    }

    /**
     * Loads the state dict in {@code path} (see {@link #read}) into {@code model} as {@code options}
     * say; modifies the model's parameters and buffers in place, and returns what was loaded,
     * skipped, unexpected, left at initial values, converted (with the dtype the file stores, e.g.
     * PyTorch's {@code I64} counters into INT32, {@code F16} weights into FLOAT32) and defaulted.
     *
     * @throws IOException              if the file cannot be read (naming it)
     * @throws IllegalArgumentException as {@link #load(Module, Map, LoadOptions)}
     */
    public static TransferReport load(Module model, Path path, LoadOptions options) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(CHECKPOINT_FILE) : path;
        Map<String, Tensor> state = read(path);
        Map<String, String> fileTypes = new LinkedHashMap<>();
        SafeTensors.dtypes(file).forEach((k, t) -> {
            fileTypes.put(k, t);
            if (k.startsWith(MODEL_PREFIX)) {
                fileTypes.putIfAbsent(k.substring(MODEL_PREFIX.length()), t);
            }
        });
        TransferReport report = load(model, state, fileTypes, options);
        LOG.debug("Loaded {} into {}: {}", path, model.getClass().getSimpleName(), report.summary());
        return report;
    }

    /**
     * Loads {@code state} (not modified) into {@code model}: each source key is renamed by the
     * options' {@link KeyMap}; values whose mapped key is excluded, dropped, already taken or (by
     * default) shaped differently from the model's tensor are skipped and reported; the rest are
     * converted to the model tensor's dtype and device (conversions are reported) and copied into
     * the model's tensors in place. Model keys that get no value keep their values, but for the
     * {@code num_batches_tracked} counter of a batch norm whose running statistics were loaded from
     * a source without the counter: as in PyTorch, it is set to 0 (reported as defaulted) and never
     * counts as missing for {@link LoadOptions#strict()}.
     *
     * @return the report of every key
     * @throws IllegalArgumentException if a value's shape differs and {@link
     *                                  LoadOptions#skipMismatchedShapes()} is false, or {@link
     *                                  LoadOptions#strict()} is set and a model key is missing or a source key
     *                                  unused; the message names the first bad key (with both shapes when they
     *                                  differ), then every such key; nothing is loaded then
     */
    public static TransferReport load(Module model, Map<String, Tensor> state, LoadOptions options) {
        return load(model, state, Map.of(), options);
    }

    private static TransferReport load(Module model, Map<String, Tensor> state, Map<String, String> fileTypes,
                                       LoadOptions options) {
        Map<String, Tensor> own = model.stateDict();
        Map<String, Tensor> toLoad = new LinkedHashMap<>();
        Map<String, String> renamed = new LinkedHashMap<>();
        Map<String, String> sourceOf = new LinkedHashMap<>();
        List<TransferReport.Skip> skipped = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        Map<String, String> mismatchByKey = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String source = e.getKey();
            Tensor value = e.getValue();
            if (value == null) {
                throw new IllegalArgumentException("Pretrained.load: the value of key '" + source + "' is null");
            }
            String target = options.keyMap().apply(source);
            if (target == null) {
                skipped.add(new TransferReport.Skip(source, null, TransferReport.Reason.DROPPED, value.shape(), null));
                continue;
            }
            Tensor mine = own.get(target);
            if (mine == null) {
                unexpected.add(source);
            } else if (options.excludes(target)) {
                skipped.add(new TransferReport.Skip(source, target, TransferReport.Reason.EXCLUDED, value.shape(), mine.shape()));
            } else if (toLoad.containsKey(target)) {
                skipped.add(new TransferReport.Skip(source, target, TransferReport.Reason.DUPLICATE, value.shape(), mine.shape()));
            } else if (!Arrays.equals(value.shape(), mine.shape())) {
                skipped.add(new TransferReport.Skip(source, target, TransferReport.Reason.SHAPE_MISMATCH, value.shape(),
                        mine.shape()));
                mismatchByKey.put(target, target + ": checkpoint " + Shape.str(value.shape()) + ", model "
                        + Shape.str(mine.shape()));
            } else {
                toLoad.put(target, value);
                sourceOf.put(target, source);
                if (!target.equals(source)) {
                    renamed.put(source, target);
                }
            }
        }
        List<String> mismatches = new ArrayList<>(); // in the model's order
        for (String key : own.keySet()) {
            if (mismatchByKey.containsKey(key)) {
                mismatches.add(mismatchByKey.get(key));
            }
        }
        Set<String> counters = model.batchNormCounters();
        List<String> loaded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> defaulted = new ArrayList<>();
        List<TransferReport.Conversion> converted = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            String key = e.getKey();
            Tensor value = toLoad.get(key);
            if (value != null) {
                loaded.add(key);
                String from = fileTypes.getOrDefault(sourceOf.get(key), value.dtype().name());
                if (!sameType(from, e.getValue().dtype())) {
                    converted.add(new TransferReport.Conversion(key, from, e.getValue().dtype()));
                }
            } else if (counters.contains(key) && toLoad.containsKey(siblingStatistics(key))
                    && !options.excludes(key)) {
                defaulted.add(key);
            } else {
                missing.add(key);
            }
        }
        check(model, options, own, skipped, mismatches, missing, counters, unexpected);
        Map<String, Tensor> copy = new LinkedHashMap<>(toLoad);
        for (String key : counters) {
            if (defaulted.contains(key)) {
                copy.put(key, Tensor.scalar(0f).to(DType.INT32));
            } else if (!copy.containsKey(key)) {
                copy.put(key, own.get(key)); // keeps its value: loadStateDict would reset an absent counter
            }
        }
        model.loadStateDict(copy, false);
        return new TransferReport(loaded, renamed, skipped, unexpected, missing, converted, defaulted);
    }

    /** Whether a source of type {@code from} (a safetensors or Tessera dtype name) needs no conversion to {@code to}. */
    private static boolean sameType(String from, DType to) {
        return from.equals(to.name()) || (to == DType.FLOAT32 && from.equals("F32")) || (to == DType.INT32 && from.equals("I32"));
    }

    /** {@code a.b.num_batches_tracked} -> {@code a.b.running_mean}. */
    private static String siblingStatistics(String counterKey) {
        return counterKey.substring(0, counterKey.length() - "num_batches_tracked".length()) + "running_mean";
    }

    private static void check(Module model, LoadOptions options, Map<String, Tensor> own, List<TransferReport.Skip> skipped,
                              List<String> mismatches, List<String> missing, Set<String> counters, List<String> unexpected) {
        StringBuilder msg = new StringBuilder();
        String first = null;
        if (!options.skipMismatchedShapes() && !mismatches.isEmpty()) {
            first = "shapes differ for " + mismatches.get(0);
            msg.append("; shapes differ for ").append(String.join(", ", mismatches));
        }
        if (options.strict()) {
            List<String> required = missing.stream().filter(k -> !options.excludes(k) && !counters.contains(k)).toList();
            if (!required.isEmpty()) {
                msg.append("; model keys without a value ").append(required);
                if (first == null) {
                    first = describeMissing(required.get(0), own, skipped);
                }
            }
            if (!unexpected.isEmpty()) {
                msg.append("; source keys the model does not have ").append(unexpected);
                if (first == null) {
                    first = "source key '" + unexpected.get(0) + "' is not in the model";
                }
            }
        }
        if (!msg.isEmpty()) {
            throw new IllegalArgumentException("Pretrained.load into " + model.getClass().getSimpleName()
                    + ": nothing loaded; first: " + first + msg);
        }
    }

    /** Names a model key left without a value: with both shapes when its value was skipped for its shape. */
    private static String describeMissing(String key, Map<String, Tensor> own, List<TransferReport.Skip> skipped) {
        for (TransferReport.Skip s : skipped) {
            if (key.equals(s.modelKey()) && s.reason() == TransferReport.Reason.SHAPE_MISMATCH) {
                return "model key '" + key + "' skipped: checkpoint " + Shape.str(s.sourceShape()) + ", model "
                        + Shape.str(s.modelShape());
            }
        }
        return "model key '" + key + "' " + Shape.str(own.get(key).shape()) + " has no value in the source";
    }
}
