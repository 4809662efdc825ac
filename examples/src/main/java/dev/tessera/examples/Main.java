package dev.tessera.examples;

/**
 * The main example, run by the README's command. With no argument it runs the default program;
 * {@code -Dexample.args=NAME} picks another one by name.
 */
public final class Main {
    private Main() {
    }

    /** Runs the example named by {@code args[0]} (default {@code train}). */
    public static void main(String[] args) throws Exception {
        String name = args.length == 0 || args[0].startsWith("--") ? "train" : args[0];
        String[] rest = name.equals("train") && (args.length == 0 || args[0].startsWith("--")) ? args
                : java.util.Arrays.copyOfRange(args, 1, args.length);
        switch (name) {
            case "train" -> TrainClassifier.main(rest);
            case "cnn" -> CnnExample.main(rest);
            case "cv" -> CrossValidationExample.main(rest);
            case "attention" -> AttentionExample.main(rest);
            case "sequence" -> SequenceExample.main(rest);
            case "transfer" -> TransferLearningExample.main(rest);
            case "devices" -> DevicesExample.main(rest);
            case "xor" -> XorExample.main(rest);
            default -> {
                System.err.println("Unknown example '" + name + "'. Available: train (default), cnn, cv, attention, transfer, devices, xor");
                System.exit(2);
            }
        }
    }
}
