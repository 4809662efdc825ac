package dev.tessera;

import static dev.tessera.Checks.assertIae;
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
 * Devices with only the CPU backend on the classpath: Device is a value, {@code best()} is the
 * CPU, {@code available()} lists a usable CPU entry, {@code parse} accepts the documented forms and
 * rejects others with IllegalArgumentException, and asking for a device no backend reports fails
 * with a message that names it.
 */
class DeviceTest {

    @Test
    void cpuIsBestWithoutGpuBackends() {
        assertEquals(Device.cpu(), Device.best());
        assertEquals(Device.cpu().hashCode(), Device.best().hashCode());
        assertEquals(DeviceType.CPU, Device.cpu().type());
        assertEquals(0, Device.cpu().index());
        assertEquals("cpu", Device.cpu().toString());
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
    void tensorsLiveOnTheCpu() {
        Tensor t = Tensor.ones(2);
        assertEquals(Device.cpu(), t.device());
        assertSame(t, t.to(Device.cpu()));
        assertSame(t, t.to(Device.best()));
    }

    @Test
    void movingToAnUnavailableDeviceSaysWhy() {
        Tensor t = Tensor.ones(2);
        RuntimeException e = assertThrows(RuntimeException.class, () -> t.to(Device.cuda(0)));
        assertTrue(e instanceof IllegalArgumentException || e instanceof IllegalStateException, e.toString());
        assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
    }
}
