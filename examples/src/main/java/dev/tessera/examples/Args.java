package dev.tessera.examples;

import dev.tessera.Device;
import java.util.LinkedHashMap;
import java.util.Map;

/** A small parser for {@code --name value} and {@code --flag} command-line options with defaults and help text. */
final class Args {
    private final String program;
    private final Map<String, String[]> options = new LinkedHashMap<>(); // name -> {default, help}
    private final Map<String, String> values = new LinkedHashMap<>();
    private boolean help;

    Args(String program) {
        this.program = program;
        option("help", null, "show this help and exit");
        option("device", "cpu", "where to train: cpu, opencl[:N], cuda[:N] or best (see the devices example)");
    }

    /** Declares {@code --name} with a default (null for a flag without value) and a help line. */
    Args option(String name, String defaultValue, String helpText) {
        options.put(name, new String[] {defaultValue, helpText});
        return this;
    }

    /** Parses {@code argv}; returns false (after printing help) when {@code --help} was given. */
    boolean parse(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") || !options.containsKey(a.substring(2))) {
                throw new IllegalArgumentException("unknown option '" + a + "'; try --help");
            }
            String name = a.substring(2);
            if (name.equals("help")) {
                help = true;
            } else if (options.get(name)[0] == null) {
                values.put(name, "true");
            } else {
                if (i + 1 >= argv.length) {
                    throw new IllegalArgumentException("option --" + name + " needs a value; try --help");
                }
                values.put(name, argv[++i]);
            }
        }
        if (help) {
            System.out.println(usage());
            return false;
        }
        useDevice(get("device"));
        return true;
    }

    /**
     * Makes {@code name} the default device, so the model, its data and every tensor the example
     * creates live there; an unknown or unusable device ends the program with one line saying why.
     */
    private static void useDevice(String name) {
        try {
            Device.setDefault(name.equals("best") ? Device.best() : Device.parse(name));
        } catch (IllegalArgumentException e) {
            System.err.println("--device " + name + ": " + e.getMessage());
            System.exit(2);
        }
    }

    String usage() {
        StringBuilder sb = new StringBuilder("Usage: " + program + " [options]\n");
        options.forEach((name, o) -> sb.append(String.format("  --%-14s %s%s%n", name + (o[0] == null ? "" : " V"), o[1],
                o[0] == null || o[0].isEmpty() ? "" : " (default " + o[0] + ")")));
        return sb.toString();
    }

    String get(String name) {
        String v = values.get(name);
        return v != null ? v : options.get(name)[0];
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    int getInt(String name) {
        try {
            return Integer.parseInt(get(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs an integer, got '" + get(name) + "'");
        }
    }

    float getFloat(String name) {
        try {
            return Float.parseFloat(get(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a number, got '" + get(name) + "'");
        }
    }
}
