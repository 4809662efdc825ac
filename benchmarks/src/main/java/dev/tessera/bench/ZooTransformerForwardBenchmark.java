package dev.tessera.bench;

import dev.tessera.Generator;
import dev.tessera.GradMode;
import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.models.BertConfig;
import dev.tessera.nn.models.BertModel;
import dev.tessera.nn.models.VisionTransformer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Eval-mode forward time (no gradient recording) of the model zoo's transformers at full size:
 * {@code vit_b_16} ({@link VisionTransformer#vitB16}, 224x224 images) and {@code bert_base} ({@link
 * BertConfig#base()} with the pooler, sequences of 128 tokens with an all-ones attention mask), at
 * batch 1 and 32. Each measurement is one forward pass (single-shot), after two warm-up passes.
 *
 * <pre>
 * mvn -B -o -pl benchmarks -am package -DskipTests
 * java --add-modules jdk.incubator.vector -jar benchmarks/target/tessera-benchmarks.jar ZooTransformerForward
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx6g"})
public class ZooTransformerForwardBenchmark {
    /** Which model. */
    @Param({"vit_b_16", "bert_base"})
    public String model;

    /** Batch size. */
    @Param({"1", "32"})
    public int batch;

    /** Threads of the CPU pool ("all": every core). */
    @Param({"all"})
    public String threads;

    private Module net;
    private Tensor input;
    private Tensor mask;

    /** Builds the model in eval mode and a fixed input. */
    @Setup(Level.Trial)
    public void setUp() {
        BenchThreads.configure(threads, "ZooTransformerForwardBenchmark");
        Generator g = new Generator(1);
        if (model.equals("vit_b_16")) {
            net = VisionTransformer.vitB16(1000);
            input = Tensor.randn(g, batch, 3, 224, 224);
        } else {
            net = new BertModel(BertConfig.base(), true, g);
            int[] ids = new int[batch * 128];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 1000 + (i * 7919) % 29000;
            }
            input = Tensor.ofInts(ids, batch, 128);
            int[] ones = new int[batch * 128];
            java.util.Arrays.fill(ones, 1);
            mask = Tensor.ofInts(ones, batch, 128);
        }
        net.eval();
    }

    /** One eval forward pass; returns the logits (ViT) or the pooled output (BERT). */
    @Benchmark
    public Object forward() {
        try (GradMode ignored = Tensor.noGrad()) {
            if (net instanceof BertModel bert) {
                return bert.encode(input, mask, null).pooled().toFloatArray();
            }
            return net.forward(input).toFloatArray();
        }
    }
}
