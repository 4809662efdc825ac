/**
 * JMH benchmarks of Tessera and the side-by-side comparison with PyTorch.
 *
 * <p>One class per workload: {@link dev.tessera.bench.GemmBenchmark} (the SGEMM kernel, Vector API
 * and EJML), {@link dev.tessera.bench.MatmulBenchmark} (SGEMM through {@code Tensor.matmul}, any
 * device), {@link dev.tessera.bench.Conv2dBenchmark}, {@link dev.tessera.bench.MlpTrainStepBenchmark},
 * {@link dev.tessera.bench.LeNetTrainStepBenchmark}, {@link dev.tessera.bench.AttentionBenchmark},
 * {@link dev.tessera.bench.TransformerLayerBenchmark}, {@link dev.tessera.bench.OpOverheadBenchmark}
 * and {@link dev.tessera.bench.FashionMnistEpochBenchmark}. Each has a {@code threads} parameter
 * (1 and 2): JMH runs every value in its own fork, sized as with {@code -Dtessera.threads}.
 *
 * <p>Build and run: {@code mvn -B -q -pl benchmarks -am package -DskipTests}, then {@code java
 * --add-modules jdk.incubator.vector -jar benchmarks/target/tessera-benchmarks.jar [regex] [JMH
 * options]}. The workloads themselves are in {@link dev.tessera.bench.Workloads}, shared with
 * {@link dev.tessera.bench.Compare}, which {@code benchmarks/compare.sh} runs against the same
 * workloads in PyTorch ({@code benchmarks/compare.py}).
 */
package dev.tessera.bench;
