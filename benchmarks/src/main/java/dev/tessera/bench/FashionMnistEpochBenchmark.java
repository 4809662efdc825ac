package dev.tessera.bench;

import dev.tessera.nn.Dropout;
import dev.tessera.nn.F;
import dev.tessera.nn.Flatten;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Random;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * One epoch of the main example ({@code examples}' {@code TrainClassifier}) end to end: the same
 * MLP (784-256-ReLU-dropout 0.1-128-ReLU-10), Adam (lr 0.001), batches of 64 shuffled with
 * prefetching, accuracy tracked, through {@link Trainer#fit} on the 60,000 Fashion-MNIST training
 * images, then the evaluation on the 10,000 test images that ends each of the example's epochs.
 * Loading the files is not timed.
 *
 * <p>Needs Debian's {@code dataset-fashion-mnist} in {@code /usr/share/datasets/fashion-mnist}
 * (or {@code -Dbench.fashionMnist=DIR}); without it the setup fails with a message saying so and
 * JMH goes on with the next benchmark.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
public class FashionMnistEpochBenchmark {
    /** Threads of the CPU pool. */
    @Param({"1", "2"})
    public String threads;

    private Trainer trainer;
    private DataLoader train;
    private DataLoader test;

    /**
     * Sizes the pool, reads Fashion-MNIST and builds the example's model and trainer.
     *
     * @throws IllegalStateException if Fashion-MNIST is not installed (the benchmark is skipped)
     * @throws IOException           if its files cannot be read
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        BenchThreads.configure(threads, "FashionMnistEpochBenchmark");
        Path dir = Path.of(System.getProperty("bench.fashionMnist", Datasets.FASHION_MNIST_DEFAULT_DIR.toString()));
        if (!Files.isDirectory(dir)) {
            String message = "FashionMnistEpochBenchmark skipped: Fashion-MNIST is not in " + dir
                    + " (apt-get install dataset-fashion-mnist, or pass -jvmArgsAppend -Dbench.fashionMnist=DIR)";
            System.err.println(message);
            throw new IllegalStateException(message);
        }
        TensorDataset trainSet = Datasets.fashionMnist(dir, true);
        TensorDataset testSet = Datasets.fashionMnist(dir, false);
        Random.manualSeed(42);
        Sequential model = new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Dropout(0.1),
                new Linear(256, 128), new ReLU(), new Linear(128, 10));
        Adam optimizer = new Adam(model.parameters(), 0.001f);
        trainer = Trainer.builder(model, optimizer, F::crossEntropy).epochs(1).metrics(Metric.accuracy())
                .progress(false).build();
        train = new DataLoader(trainSet, 64, true, 42, false, true);
        test = new DataLoader(testSet, 1000, false, 0);
    }

    /** One training epoch plus the test-set evaluation; returns the history. */
    @Benchmark
    public Object epoch() {
        return trainer.fit(train, test);
    }
}
