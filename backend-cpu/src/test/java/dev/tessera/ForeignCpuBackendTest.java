package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.kit.ForeignCpuBackend;
import dev.tessera.spi.Backend;
import dev.tessera.spi.View;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The foreign test backend that proves the kit device-agnostic: it computes what the CPU computes,
 * refuses storages it did not create (and the CPU refuses its storages), counts its buffers like a
 * device, and refuses a released storage.
 */
class ForeignCpuBackendTest {
    private static final Device DEVICE = Device.opencl(8);
    private ForeignCpuBackend foreign;

    @BeforeEach
    void install() {
        foreign = new ForeignCpuBackend(DEVICE, false);
        BackendRegistry.install(foreign.backend());
    }

    @AfterEach
    void uninstall() {
        BackendRegistry.uninstall(DEVICE);
    }

    @Test
    void computesWhatTheCpuComputes() {
        float[] data = Checks.normal(3, 12);
        Tensor x = Tensor.of(DEVICE, data, 3, 4);
        Tensor c = Tensor.of(Device.cpu(), data, 3, 4);
        assertEquals(DEVICE, x.device());
        assertArrayEquals(c.t().matmul(c).softmax(1).toFloatArray(), x.t().matmul(x).softmax(1).toFloatArray());
        assertArrayEquals(data, x.to(Device.cpu()).toFloatArray());
        assertEquals(DEVICE, c.to(DEVICE).device());
    }

    @Test
    void refusesStoragesOfOtherBackends() {
        Backend b = foreign.backend();
        Backend cpu = TestDevice.cpuBackend();
        View mine = new View(b.upload(new float[] {1, 2}), new int[] {2}, new int[] {1}, 0);
        View theirs = new View(cpu.upload(new float[] {1, 2}), new int[] {2}, new int[] {1}, 0);
        assertTrue(b.owns(mine.storage()));
        assertFalse(b.owns(theirs.storage()));
        assertFalse(cpu.owns(mine.storage()));
        Checks.assertIae(() -> b.binary(dev.tessera.spi.BinaryOp.ADD, mine, theirs, mine), "opencl:8", "does not own");
        Checks.assertIae(() -> cpu.binary(dev.tessera.spi.BinaryOp.ADD, theirs, mine, theirs), "another device");
        Checks.assertIae(() -> Tensor.ones(DEVICE, 2).add(Tensor.ones(Device.cpu(), 2)), "different devices");
    }

    @Test
    void countsItsBuffersAndRefusesReleasedOnes() {
        Tensor t;
        long before;
        try (MemoryScope scope = MemoryScope.open()) {
            before = DEVICE.memoryStats().liveBuffers();
            t = Tensor.ones(DEVICE, 5).mul(2f);
            assertTrue(DEVICE.memoryStats().liveBuffers() >= before + 2, DEVICE.memoryStats().toString());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toFloatArray);
        assertTrue(e.getMessage().contains("released by a MemoryScope"), e.getMessage());
    }
}
