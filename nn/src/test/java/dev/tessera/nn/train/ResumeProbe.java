package dev.tessera.nn.train;

import dev.tessera.Generator;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.Tanh;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.StepLR;
import java.nio.file.Path;

/**
 * The child JVM of {@link KillAndResumeTest}: trains a tanh MLP with a softmax cross-entropy loss
 * on the digits for 6 epochs (174 steps of 64 examples) with checkpoints every 10 steps, resuming
 * from the checkpoint directory, and saves the final weights. The hidden layer is wide enough
 * (32,768 tanh per step) for C2 to compile the tanh kernel early in the run (after ~50 steps).
 *
 * <p>Arguments: the checkpoint directory, the file for the final weights, and a step after which
 * to print {@link #PAUSED} and wait to be killed (0: never).
 */
public final class ResumeProbe {
    /** The line printed when the run waits to be killed. */
    static final String PAUSED = "PAUSED";

    private ResumeProbe() {
    }

    /** Trains as described above. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int pauseAfter = Integer.parseInt(args[2]);
        Generator g = new Generator(17);
        Sequential model = new Sequential(new Linear(64, 512, true, g), new Tanh(), new Linear(512, 10, true, g));
        Adam adam = new Adam(model.parameters(), 3e-3f);
        Callback pause = new Callback() {
            private int steps;

            @Override
            public void onBatchEnd(Trainer trainer, int epoch, int batch, double loss, int batchSize) {
                if (++steps == pauseAfter) {
                    System.out.println(PAUSED);
                    System.out.flush();
                    while (true) {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }
        };
        Trainer trainer = Trainer.builder(model, adam, F::crossEntropy).epochs(6).scheduler(new StepLR(adam, 1, 0.5f))
                .checkpointDir(dir).checkpointEverySteps(10).callbacks(pause).progress(false).build();
        trainer.fit(new DataLoader(TrainingData.digits(1797), 64, true, 5), null);
        SafeTensors.save(model.stateDict(), out);
        System.out.println("DONE");
    }
}
