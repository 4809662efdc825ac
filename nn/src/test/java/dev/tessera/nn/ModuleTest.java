package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {
    /** A transformer-like block: linear1 then a layer norm. */
    static final class Block extends Module {
        Block(int d) {
            registerModule("linear1", new Linear(d, d));
            registerModule("norm", new LayerNorm(d));
        }

        @Override
        public Tensor forward(Tensor x) {
            return get("norm").forward(get("linear1").forward(x).relu());
        }
    }

    static final class Encoder extends Module {
        Encoder(int d) {
            registerModule("layers", new Sequential(new Block(d), new Block(d)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return get("layers").forward(x);
        }
    }

    static final class Net extends Module {
        Net() {
            registerParameter("temperature", Tensor.ones(1));
            registerBuffer("scale", Tensor.full(2f, 1));
            registerModule("encoder", new Encoder(4));
            registerModule("bn", new BatchNorm1d(4));
            registerModule("fc", new Linear(4, 2));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = get("bn").forward(get("encoder").forward(x));
            return get("fc").forward(h).mul(parameter("temperature")).mul(buffer("scale"));
        }
    }

    @Test
    void nestedSequentialNamesInOrder() {
        Sequential s = new Sequential(new Linear(2, 3), new ReLU(), new Sequential(new Linear(3, 3), new BatchNorm1d(3)));
        assertEquals(List.of("0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.1.weight", "2.1.bias"),
                List.copyOf(s.namedParameters().keySet()));
        assertEquals(List.of("2.1.running_mean", "2.1.running_var", "2.1.num_batches_tracked"),
                List.copyOf(s.namedBuffers().keySet()));
        assertEquals(6, s.parameters().size());
        assertEquals(3, s.buffers().size());
        assertEquals(3, s.size());
        assertEquals(3, s.children().size());
        assertEquals(List.of("", "0", "1", "2", "2.0", "2.1"), List.copyOf(s.namedModules().keySet()));
        assertEquals(6, s.modules().size());
        assertSame(s.get(2), s.get("2"));
        assertSame(s.get(-1), s.get("2"));
        assertThrows(IllegalArgumentException.class, () -> s.get(3));
    }

    @Test
    void customModuleDottedNames() {
        Net net = new Net();
        List<String> names = List.copyOf(net.namedParameters().keySet());
        assertEquals("temperature", names.get(0));
        assertEquals("encoder.layers.0.linear1.weight", names.get(1));
        assertTrue(names.contains("encoder.layers.1.linear1.bias"));
        assertTrue(names.contains("encoder.layers.1.norm.weight"));
        assertEquals(List.of("fc.weight", "fc.bias"), names.subList(names.size() - 2, names.size()));
        for (Tensor p : net.parameters()) {
            assertTrue(p.requiresGrad());
            assertEquals(DType.FLOAT32, p.dtype());
        }
    }

    @Test
    void stateDictHoldsParametersThenBuffersAndIsDetached() {
        Net net = new Net();
        Map<String, Tensor> sd = net.stateDict();
        List<String> keys = List.copyOf(sd.keySet());
        assertEquals(List.of("temperature", "scale", "encoder.layers.0.linear1.weight"), keys.subList(0, 3));
        assertTrue(keys.containsAll(List.of("bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                "bn.num_batches_tracked")));
        assertEquals(keys.indexOf("bn.bias") + 1, keys.indexOf("bn.running_mean"));
        assertEquals(net.namedParameters().size() + net.namedBuffers().size(), sd.size());
        for (Tensor t : sd.values()) {
            assertFalse(t.requiresGrad());
        }
        assertArrayEquals(new int[0], sd.get("bn.num_batches_tracked").shape());
        assertEquals(DType.INT32, sd.get("bn.num_batches_tracked").dtype());
    }

    @Test
    void strictLoadNamesEveryProblem() {
        Net net = new Net();
        Map<String, Tensor> sd = new LinkedHashMap<>(net.stateDict());
        sd.remove("fc.bias");
        sd.remove("bn.running_var");
        sd.put("head.weight", Tensor.zeros(2));
        sd.put("encoder.layers.0.linear1.weight", Tensor.zeros(5, 4));
        float[] before = net.namedParameters().get("fc.weight").toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(sd));
        String m = e.getMessage();
        for (String s : List.of("missing", "fc.bias", "bn.running_var", "unexpected", "head.weight",
                "encoder.layers.0.linear1.weight", "[5, 4]", "[4, 4]")) {
            assertTrue(m.contains(s), "message lacks '" + s + "': " + m);
        }
        // Nothing was copied.
        assertArrayEquals(before, net.namedParameters().get("fc.weight").toFloatArray());
    }

    @Test
    void nonStrictLoadSkipsMissingAndUnexpectedButNotShapes() {
        Random.manualSeed(3);
        Sequential src = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
        Sequential dst = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
        Map<String, Tensor> sd = new LinkedHashMap<>(src.stateDict());
        sd.remove("0.bias");
        sd.put("extra", Tensor.ones(1));
        float[] dstBias = dst.namedParameters().get("0.bias").toFloatArray();
        LoadResult r = dst.loadStateDict(sd, false);
        assertEquals(List.of("0.bias"), r.missingKeys());
        assertEquals(List.of("extra"), r.unexpectedKeys());
        assertArrayEquals(src.namedParameters().get("0.weight").toFloatArray(),
                dst.namedParameters().get("0.weight").toFloatArray());
        assertArrayEquals(dstBias, dst.namedParameters().get("0.bias").toFloatArray());
        sd.put("0.weight", Tensor.zeros(2, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dst.loadStateDict(sd, false));
        assertTrue(e.getMessage().contains("0.weight") && e.getMessage().contains("[2, 2]")
                && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertFalse(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void loadCopiesIntoTheExistingTensors() {
        Linear a = new Linear(3, 2);
        Linear b = new Linear(3, 2);
        List<Tensor> held = b.parameters();
        LoadResult r = b.loadStateDict(a.stateDict());
        assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty());
        assertSame(held.get(0), b.weight());
        assertTrue(b.weight().requiresGrad());
        assertArrayEquals(a.weight().toFloatArray(), held.get(0).toFloatArray());
    }

    @Test
    void loadedModelGivesBitIdenticalOutputs() {
        Random.manualSeed(1);
        Net a = new Net();
        Tensor x = NnTestUtil.uniform(12, -1, 1, 6, 4);
        a.forward(x);
        a.forward(x.mul(2f)); // updates the running statistics
        a.eval();
        Random.manualSeed(2);
        Net b = new Net();
        b.eval();
        assertFalse(java.util.Arrays.equals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray()));
        b.loadStateDict(a.stateDict());
        assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
        assertEquals(2, b.stateDict().get("bn.num_batches_tracked").toIntArray()[0]);
    }

    @Test
    void freezeAndUnfreeze() {
        Net net = new Net();
        Module encoder = net.get("encoder");
        assertSame(encoder, encoder.freeze());
        for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
            assertEquals(!e.getKey().startsWith("encoder."), e.getValue().requiresGrad(), e.getKey());
        }
        assertSame(net, net.freeze());
        net.parameters().forEach(p -> assertFalse(p.requiresGrad()));
        assertSame(net, net.unfreeze());
        net.parameters().forEach(p -> assertTrue(p.requiresGrad()));
    }

    @Test
    void trainAndEvalRecurse() {
        Net net = new Net();
        net.modules().forEach(m -> assertTrue(m.isTraining()));
        assertSame(net, net.eval());
        net.modules().forEach(m -> assertFalse(m.isTraining()));
        net.get("encoder.layers").train();
        assertTrue(net.get("encoder.layers.1.norm").isTraining());
        assertFalse(net.get("bn").isTraining());
        net.train();
        net.modules().forEach(m -> assertTrue(m.isTraining()));
    }

    @Test
    void getAndSetByDottedPath() {
        Net net = new Net();
        assertTrue(net.get("encoder.layers.1.linear1") instanceof Linear);
        assertSame(net, net.get(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.get("encoder.layers.5.linear1"));
        assertTrue(e.getMessage().contains("'5'") && e.getMessage().contains("[0, 1]"), e.getMessage());
        Linear head = new Linear(4, 3);
        assertSame(net, net.set("fc", head));
        assertSame(head, net.get("fc"));
        assertArrayEquals(new int[] {6, 3}, net.forward(Tensor.ones(6, 4)).shape());
        assertSame(head.weight(), net.namedParameters().get("fc.weight"));
        net.set("encoder.layers.0", new Identity());
        assertTrue(net.get("encoder.layers.0") instanceof Identity);
        assertEquals(List.of("encoder", "bn", "fc"), List.copyOf(net.namedChildren().keySet()));
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> net.set("head", new Identity()));
        assertTrue(e2.getMessage().contains("'head'") && e2.getMessage().contains("[encoder, bn, fc]"), e2.getMessage());
    }

    @Test
    void registrationRules() {
        Module m = new Module() {
            {
                registerParameter("w", Tensor.zeros(2));
                assertThrows(IllegalArgumentException.class, () -> registerBuffer("w", Tensor.zeros(2)));
                assertThrows(IllegalArgumentException.class, () -> registerModule("a.b", new ReLU()));
                assertThrows(IllegalArgumentException.class, () -> registerParameter("", Tensor.zeros(2)));
                assertThrows(IllegalArgumentException.class, () -> registerParameter("i", Tensor.ofInts(new int[] {1})));
                Tensor leaf = Tensor.ones(2).requiresGrad(true);
                assertThrows(IllegalArgumentException.class, () -> registerParameter("r", leaf.mul(2f)));
            }

            @Override
            public Tensor forward(Tensor input) {
                return input;
            }
        };
        assertTrue(m.parameters().get(0).requiresGrad());
    }

    @Test
    void sharedParametersAreListedOnce() {
        Linear shared = new Linear(3, 3);
        Sequential s = new Sequential(shared, new ReLU(), shared);
        assertEquals(List.of("0.weight", "0.bias"), List.copyOf(s.namedParameters().keySet()));
        assertEquals(4, s.stateDict().size());
        assertEquals(3, s.modules().size()); // the shared Linear once
    }

    @Test
    void toStringLikePyTorch() {
        Sequential s = new Sequential(new Linear(784, 128), new ReLU(), new Sequential(new Dropout(0.5), new Linear(128, 10)));
        String expected = """
                Sequential(
                  (0): Linear(in=784, out=128, bias=true)
                  (1): ReLU()
                  (2): Sequential(
                    (0): Dropout(p=0.5)
                    (1): Linear(in=128, out=10, bias=true)
                  )
                )""";
        assertEquals(expected, s.toString());
    }

    @Test
    void toDeviceKeepsStateAndReturnsThis() {
        Net net = new Net();
        net.get("fc").freeze();
        List<Tensor> before = net.parameters();
        assertSame(net, net.to(Device.cpu()));
        assertEquals(before, net.parameters());
        assertFalse(net.namedParameters().get("fc.weight").requiresGrad());
        assertTrue(net.namedParameters().get("temperature").requiresGrad());
    }

    @Test
    void applyVisitsChildrenFirstAndZeroGradClears() {
        Sequential s = new Sequential(new Linear(2, 2), new Sequential(new ReLU()));
        List<String> seen = new ArrayList<>();
        s.apply(m -> seen.add(m.getClass().getSimpleName()));
        assertEquals(List.of("Linear", "ReLU", "Sequential", "Sequential"), seen);
        s.forward(Tensor.ones(1, 2)).sum().backward();
        assertTrue(s.parameters().stream().allMatch(p -> p.grad() != null));
        s.zeroGrad();
        assertTrue(s.parameters().stream().allMatch(p -> p.grad() == null));
    }

    @Test
    void evalForwardFromManyThreadsMatchesSingleThread() throws Exception {
        Net net = new Net();
        Tensor x = NnTestUtil.uniform(13, -1, 1, 8, 4);
        net.forward(x); // one training step moves the running statistics
        net.eval();
        float[] expected = net.forward(x).toFloatArray();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<float[]>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> net.forward(x).toFloatArray()));
            }
            for (java.util.concurrent.Future<float[]> r : results) {
                assertArrayEquals(expected, r.get());
            }
        } finally {
            pool.shutdown();
        }
    }
}
