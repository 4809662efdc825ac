package dev.tessera.opencl;

import dev.tessera.spi.KernelLayout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.ReduceOp;
import dev.tessera.spi.UnaryOp;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The kernels' op numbers and struct sizes agree with the Java side (no OpenCL needed). */
class KernelSourceTest {
    private static int define(String source, String name) {
        Matcher m = Pattern.compile("#define " + name + " (-?\\d+)\\b").matcher(source);
        assertTrue(m.find(), "missing #define " + name);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void opNumbersAreTheEnumOrdinals() {
        String ew = ClKernels.resource("elementwise.c");
        for (UnaryOp op : UnaryOp.values()) {
            assertEquals(op.ordinal(), define(ew, "U_" + op.name()), op.toString());
        }
        for (BinaryOp op : BinaryOp.values()) {
            assertEquals(op.ordinal(), define(ew, "B_" + op.name()), op.toString());
        }
        String red = ClKernels.resource("reduce.c");
        for (ReduceOp op : ReduceOp.values()) {
            assertEquals(op.ordinal(), define(red, "R_" + op.name()), op.toString());
        }
    }

    @Test
    void layoutStructMatchesKernelLayout() {
        String common = ClKernels.resource("common.h");
        assertEquals(KernelLayout.MAX_RANK, define(common, "LAYOUT_MAX_RANK"));
        assertEquals(KernelLayout.OPERANDS, define(common, "LAYOUT_OPERANDS"));
        assertEquals(ClKernels.GROUP, define(ClKernels.resource("reduce.c"), "REDUCE_WG"));
    }
}
