package dev.tessera.nn;

import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An independent, deliberately plain implementation of the recurrent layers for the tests: one
 * sequence at a time (a padded sequence is simply cut to its length), one step at a time, one gate
 * at a time with its own slice of the weights, the textbook equations in PyTorch's {@code [batch,
 * hidden]} layout. It reads the parameters by their PyTorch names from a map, so gradients flow
 * into whatever tensors the map holds.
 */
final class RecurrentOracle {
    private RecurrentOracle() {
    }

    /** Which recurrence: "LSTM", "GRU", "RNN_TANH" or "RNN_RELU". */
    static int gates(String mode) {
        return switch (mode) {
            case "LSTM" -> 4;
            case "GRU" -> 3;
            default -> 1;
        };
    }

    /**
     * Runs the layer stack on {@code x} {@code [T, B, I]} (sequence first) from {@code h0}, {@code
     * c0} ({@code [L * D, B, H]}, null for zeros) with per-sequence {@code lengths} (null: all T).
     *
     * @return {output [T, B, D * H] with zeros at padded steps, h [L * D, B, H], c (LSTM) or null}
     */
    static Tensor[] run(String mode, Map<String, Tensor> p, int layers, boolean bidirectional, int hidden, Tensor x,
            Tensor h0, Tensor c0, int[] lengths) {
        int steps = x.size(0);
        int batch = x.size(1);
        int dirs = bidirectional ? 2 : 1;
        List<Tensor> outputs = new ArrayList<>();
        List<List<Tensor>> hs = new ArrayList<>();
        List<List<Tensor>> cs = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int len = lengths == null ? steps : lengths[b];
            List<Tensor> seq = new ArrayList<>(); // [1, features] per real step
            for (int t = 0; t < len; t++) {
                seq.add(x.select(1, b).select(0, t).unsqueeze(0));
            }
            List<Tensor> hb = new ArrayList<>();
            List<Tensor> cb = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                List<List<Tensor>> perDir = new ArrayList<>();
                for (int d = 0; d < dirs; d++) {
                    int idx = l * dirs + d;
                    String sfx = "_l" + l + (d == 1 ? "_reverse" : "");
                    Tensor h = h0 == null ? Tensor.zeros(1, hidden) : h0.select(0, idx).select(0, b).unsqueeze(0);
                    Tensor c = c0 == null ? Tensor.zeros(1, hidden) : c0.select(0, idx).select(0, b).unsqueeze(0);
                    Tensor[] outs = new Tensor[len];
                    for (int s = 0; s < len; s++) {
                        int t = d == 1 ? len - 1 - s : s;
                        Tensor[] hc = step(mode, p, sfx, hidden, seq.get(t), h, c);
                        h = hc[0];
                        c = hc[1];
                        outs[t] = h;
                    }
                    perDir.add(List.of(outs));
                    hb.add(h);
                    cb.add(c);
                }
                List<Tensor> next = new ArrayList<>();
                for (int t = 0; t < len; t++) {
                    List<Tensor> parts = new ArrayList<>();
                    for (List<Tensor> dirOut : perDir) {
                        parts.add(dirOut.get(t));
                    }
                    next.add(Tensor.cat(parts, 1));
                }
                seq = next;
            }
            List<Tensor> rows = new ArrayList<>(seq);
            for (int t = len; t < steps; t++) {
                rows.add(Tensor.zeros(1, dirs * hidden));
            }
            outputs.add(Tensor.cat(rows, 0)); // [T, D * H]
            hs.add(hb);
            cs.add(cb);
        }
        Tensor output = Tensor.stack(outputs, 1);
        List<Tensor> hAll = new ArrayList<>();
        List<Tensor> cAll = new ArrayList<>();
        for (int i = 0; i < layers * dirs; i++) {
            List<Tensor> hi = new ArrayList<>();
            List<Tensor> ci = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                hi.add(hs.get(b).get(i));
                ci.add(cs.get(b).get(i));
            }
            hAll.add(Tensor.cat(hi, 0));
            cAll.add(Tensor.cat(ci, 0));
        }
        return new Tensor[] {output, Tensor.stack(hAll, 0), mode.equals("LSTM") ? Tensor.stack(cAll, 0) : null};
    }

    /**
     * One step for {@code x} {@code [B, in]} from {@code h}, {@code c} ({@code [B, H]}) with the
     * parameters {@code weight_ih + sfx} etc. (absent biases are skipped).
     *
     * @return {h', c'} (c' is c unchanged but for the LSTM)
     */
    static Tensor[] step(String mode, Map<String, Tensor> p, String sfx, int hidden, Tensor x, Tensor h, Tensor c) {
        switch (mode) {
            case "LSTM" -> {
                Tensor i = gate(p, sfx, hidden, 0, x, h).sigmoid();
                Tensor f = gate(p, sfx, hidden, 1, x, h).sigmoid();
                Tensor g = gate(p, sfx, hidden, 2, x, h).tanh();
                Tensor o = gate(p, sfx, hidden, 3, x, h).sigmoid();
                Tensor cNext = f.mul(c).add(i.mul(g));
                return new Tensor[] {o.mul(cNext.tanh()), cNext};
            }
            case "GRU" -> {
                Tensor r = gate(p, sfx, hidden, 0, x, h).sigmoid();
                Tensor z = gate(p, sfx, hidden, 1, x, h).sigmoid();
                Tensor n = part(p, "ih", sfx, hidden, 2, x).add(r.mul(part(p, "hh", sfx, hidden, 2, h))).tanh();
                Tensor one = Tensor.ones(z.shape());
                return new Tensor[] {one.sub(z).mul(n).add(z.mul(h)), c};
            }
            case "RNN_TANH" -> {
                return new Tensor[] {gate(p, sfx, hidden, 0, x, h).tanh(), c};
            }
            case "RNN_RELU" -> {
                return new Tensor[] {gate(p, sfx, hidden, 0, x, h).relu(), c};
            }
            default -> throw new IllegalArgumentException(mode);
        }
    }

    private static Tensor gate(Map<String, Tensor> p, String sfx, int hidden, int k, Tensor x, Tensor h) {
        return part(p, "ih", sfx, hidden, k, x).add(part(p, "hh", sfx, hidden, k, h));
    }

    /** {@code v W_k^T + b_k} for gate block k of weight_{kind} (and bias_{kind} if present). */
    private static Tensor part(Map<String, Tensor> p, String kind, String sfx, int hidden, int k, Tensor v) {
        Tensor w = p.get("weight_" + kind + sfx).slice(0, k * hidden, (k + 1) * hidden);
        Tensor y = v.matmul(w.t());
        Tensor b = p.get("bias_" + kind + sfx);
        return b == null ? y : y.add(b.slice(0, k * hidden, (k + 1) * hidden));
    }
}
