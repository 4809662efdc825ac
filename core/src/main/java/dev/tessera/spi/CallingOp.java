package dev.tessera.spi;

import java.util.List;
import java.util.stream.Collectors;

/** Names the tensor op on the call stack, for error messages raised deep inside a backend. */
final class CallingOp {
    private static final String CORE = "dev.tessera";

    private CallingOp() {
    }

    /**
     * Returns {@code "Tensor.add"}-style: the outermost {@code Tensor} method of the innermost run
     * of core frames, else the outermost core frame of that run, else the innermost frame.
     */
    static String find() {
        List<StackWalker.StackFrame> frames = StackWalker.getInstance().walk(s -> s.collect(Collectors.toList()));
        String tensorOp = null;
        String outermostCore = null;
        boolean inCore = false;
        for (StackWalker.StackFrame f : frames) {
            String cls = f.getClassName();
            boolean core = isCore(cls);
            if (core) {
                inCore = true;
                String simple = cls.substring(CORE.length() + 1);
                int nested = simple.indexOf('$');
                if (nested >= 0) {
                    simple = simple.substring(0, nested);
                }
                outermostCore = simple + "." + f.getMethodName();
                if (simple.equals("Tensor") && !f.getMethodName().startsWith("lambda$")) {
                    tensorOp = outermostCore;
                }
            } else if (inCore) {
                break;
            }
        }
        if (tensorOp != null) {
            return tensorOp;
        }
        if (outermostCore != null) {
            return outermostCore;
        }
        return frames.size() > 2 ? frames.get(2).getClassName() + "." + frames.get(2).getMethodName() : "tensor op";
    }

    /** True for classes of package {@code dev.tessera} itself (not its subpackages). */
    private static boolean isCore(String cls) {
        return cls.startsWith(CORE + ".") && cls.indexOf('.', CORE.length() + 1) < 0;
    }
}
