package dev.tessera.examples;

/**
 * The main example, run by the README's command. With no argument it runs the default program;
 * {@code -Dexample.args=NAME} picks another one by name.
 */
public final class Main {
    private Main() {
    }

    /** Runs the example named by {@code args[0]} (default {@code xor}). */
    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "xor" : args[0];
        String[] rest = java.util.Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (name) {
            case "xor" -> XorExample.main(rest);
            default -> {
                System.err.println("Unknown example '" + name + "'. Available: xor");
                System.exit(2);
            }
        }
    }
}
