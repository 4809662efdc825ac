package dev.tessera;

import static dev.tessera.Checks.assertIae;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Devices, with whatever backends the classpath holds (the conformance kit runs this on every
 * device): Device is a value; {@code best()} is a usable device (the CPU when no other is usable);
 * {@code available()} lists a usable CPU entry, and every entry is usable or says why not;
 * {@code parse} accepts the documented forms and rejects others with IllegalArgumentException;
 * tensors live on the default device; asking for a device no backend reports fails with a message
 * that names it.
 */
class DeviceTest {

    @Test
    void cpuIsADeviceLikeAnyOther() {
        assertEquals(DeviceType.CPU, Device.cpu().type());
        assertEquals(0, Device.cpu().index());
        assertEquals("cpu", Device.cpu().toString());
        assertSame(Device.cpu(), Device.parse("cpu"));
    }

    @Test
    void bestIsAUsableDevice() {
        Device best = Device.best();
        List<DeviceInfo> all = Device.available();
        boolean gpuUsable = all.stream().anyMatch(i -> i.usable() && !i.hostCpu() && i.device().type() != DeviceType.CPU);
        if (!gpuUsable) {
            assertEquals(Device.cpu(), best, "no usable GPU in " + all);
        } else {
            DeviceInfo info = all.stream().filter(i -> i.device().equals(best)).findFirst().orElseThrow(
                    () -> new AssertionError("best() " + best + " is not listed in " + all));
            assertTrue(info.usable(), info.toString());
            assertFalse(info.hostCpu(), "an OpenCL driver for the host CPU is never preferred: " + info);
        }
        assertEquals(best.hashCode(), Device.best().hashCode());
        // best() can run an op.
        assertArrayEquals(new float[] {2, 4}, Tensor.of(best, new float[] {1, 2}).mul(2f).toFloatArray());
    }

    @Test
    void everyListedDeviceIsUsableOrSaysWhy() {
        for (DeviceInfo info : Device.available()) {
            assertNotNull(info.device(), info.toString());
            assertNotNull(info.name(), info.toString());
            if (!info.usable()) {
                assertNotNull(info.detail(), "an unusable device says why: " + info);
                assertFalse(info.detail().isBlank(), "an unusable device says why: " + info);
            }
        }
    }

    @Test
    void availableListsAUsableCpu() {
        List<DeviceInfo> all = Device.available();
        assertNotNull(all);
        DeviceInfo cpu = all.stream().filter(i -> i.device().equals(Device.cpu())).findFirst().orElseThrow(
                () -> new AssertionError("no cpu entry in " + all));
        assertTrue(cpu.usable(), cpu.toString());
        assertNotNull(cpu.name());
        assertFalse(cpu.name().isBlank());
        assertTrue(cpu.toString().contains("cpu"), cpu.toString());
        assertThrows(UnsupportedOperationException.class, () -> all.add(cpu));
    }

    @Test
    void devicesAreValues() {
        assertEquals(Device.cuda(1), Device.cuda(1));
        assertEquals(Device.cuda(1).hashCode(), Device.cuda(1).hashCode());
        assertNotEquals(Device.cuda(0), Device.cuda(1));
        assertNotEquals(Device.cuda(0), Device.opencl(0));
        assertNotEquals(Device.cpu(), Device.cuda(0));
        assertEquals("cuda:1", Device.cuda(1).toString());
        assertEquals("opencl:2", Device.opencl(2).toString());
        assertEquals(DeviceType.OPENCL, Device.opencl(2).type());
        assertEquals(2, Device.opencl(2).index());
        assertIae(() -> Device.cuda(-1), "-1");
    }

    @Test
    void parseAcceptsTheDocumentedForms() {
        assertEquals(Device.cuda(1), Device.parse("cuda:1"));
        assertEquals(Device.cuda(0), Device.parse("cuda"));
        assertEquals(Device.cuda(0), Device.parse("cuda:0"));
        assertEquals(Device.opencl(0), Device.parse("opencl:0"));
        assertEquals(Device.opencl(3), Device.parse("opencl:3"));
        assertSame(Device.cpu(), Device.parse("cpu"));
        assertEquals(Device.cuda(2), Device.parse(" CUDA:2 "));
        for (Device d : List.of(Device.cpu(), Device.cuda(0), Device.cuda(7), Device.opencl(1))) {
            assertEquals(d, Device.parse(d.toString()), "round trip of " + d);
        }
    }

    @Test
    void parseRejectsEverythingElse() {
        for (String bad : new String[] {"gpu", "", "cuda:", "cuda:x", "cuda:1:2", "cuda1", "opencl:-", "tpu:0", ":0", "cuda:1.5"}) {
            assertIae(() -> Device.parse(bad), "'" + bad + "'");
        }
        assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:-1"));
    }

    @Test
    void tensorsLiveOnTheDefaultDevice() {
        Tensor t = Tensor.ones(2);
        assertEquals(Device.getDefault(), t.device());
        assertEquals(TestDevice.get(), t.device());
        assertSame(t, t.to(t.device()));
        Tensor onCpu = t.to(Device.cpu());
        assertEquals(Device.cpu(), onCpu.device());
        assertArrayEquals(new float[] {1, 1}, onCpu.toFloatArray());
        assertArrayEquals(new float[] {1, 1}, onCpu.to(TestDevice.get()).toFloatArray());
    }

    @Test
    void movingToAnUnavailableDeviceSaysWhy() {
        Tensor t = Tensor.ones(2);
        Device missing = Device.cuda(63); // no machine has 64 GPUs
        RuntimeException e = assertThrows(RuntimeException.class, () -> t.to(missing));
        assertTrue(e instanceof IllegalArgumentException || e instanceof IllegalStateException, e.toString());
        assertTrue(e.getMessage().contains("cuda:63"), e.getMessage());
    }
}
