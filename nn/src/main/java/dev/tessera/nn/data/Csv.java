package dev.tessera.nn.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/** Reads numeric CSV files (optionally gzip-compressed) into a table of floats. */
public final class Csv {
    private Csv() {
    }

    /**
     * A parsed table.
     *
     * @param header the header fields, or an empty list when there was none
     * @param rows   the values, one array per data line, all of one length
     */
    public record Table(List<String> header, List<float[]> rows) {
        /**
         * Creates a table (the lists are not copied).
         *
         * @throws NullPointerException if {@code header} or {@code rows} is null
         */
        public Table {
            Objects.requireNonNull(header, "Csv.Table: header must not be null (an empty list when there is none)");
            Objects.requireNonNull(rows, "Csv.Table: rows must not be null");
        }

        /** Returns the number of columns. */
        public int columns() {
            return rows.isEmpty() ? header.size() : rows.get(0).length;
        }
    }

    /**
     * Reads {@code file}; a {@code .gz} file (or any file starting with the gzip magic bytes) is
     * decompressed. Every data line must hold the same number of numbers.
     *
     * @param skipHeader whether the first line is a header to return as text
     * @throws IOException naming the file and the line for a missing file, a non-number or a ragged row
     */
    public static Table read(Path file, boolean skipHeader) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), skipHeader);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": file not found", e);
        }
    }

    /** Reads CSV from {@code in} (closed by the caller); {@code name} is used in error messages. */
    public static Table read(InputStream in, String name, boolean skipHeader) throws IOException {
        InputStream raw = in.markSupported() ? in : new java.io.BufferedInputStream(in);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        InputStream data = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw) : raw;
        BufferedReader reader = new BufferedReader(new InputStreamReader(data, StandardCharsets.UTF_8));
        List<String> header = List.of();
        List<float[]> rows = new ArrayList<>();
        String line;
        int lineNo = 0;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(",", -1);
            if (skipHeader && header.isEmpty() && rows.isEmpty()) {
                List<String> h = new ArrayList<>();
                for (String f : fields) {
                    h.add(f.trim());
                }
                header = List.copyOf(h);
                continue;
            }
            float[] values = new float[fields.length];
            for (int i = 0; i < fields.length; i++) {
                try {
                    values[i] = Float.parseFloat(fields[i].trim());
                } catch (NumberFormatException e) {
                    throw new IOException(name + ": line " + lineNo + ", column " + (i + 1) + ": '" + fields[i]
                            + "' is not a number");
                }
            }
            if (!rows.isEmpty() && values.length != rows.get(0).length) {
                throw new IOException(name + ": line " + lineNo + " has " + values.length + " columns, earlier lines have "
                        + rows.get(0).length);
            }
            rows.add(values);
        }
        return new Table(header, rows);
    }
}
