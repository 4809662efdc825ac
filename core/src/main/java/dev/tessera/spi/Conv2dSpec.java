package dev.tessera.spi;

/**
 * The geometry of a 2-D convolution over NCHW data, as the convolution primitives of {@link
 * Backend} receive it: input {@code [batch, inChannels, height, width]}, weight {@code
 * [outChannels, inChannels / groups, kernelH, kernelW]}, output {@code [batch, outChannels, outH(),
 * outW()]}, where {@code outH = (height + 2 padH - dilationH (kernelH - 1) - 1) / strideH + 1}
 * (likewise for the width), as in PyTorch.
 *
 * <p>The unfolded ("im2col") form of an input is {@code [batch, inChannels * kernelH * kernelW,
 * outH * outW]}: row {@code (c * kernelH + ky) * kernelW + kx}, column {@code oy * outW + ox} holds
 * input element {@code (c, oy * strideH - padH + ky * dilationH, ox * strideW - padW + kx *
 * dilationW)}, or 0 where that lies in the padding.
 *
 * @param batch       images N, {@code >= 1}
 * @param inChannels  input channels C, a multiple of {@code groups}
 * @param height      input height H
 * @param width       input width W
 * @param outChannels output channels, a multiple of {@code groups}
 * @param kernelH     kernel height, {@code >= 1}
 * @param kernelW     kernel width, {@code >= 1}
 * @param strideH     vertical stride, {@code >= 1}
 * @param strideW     horizontal stride, {@code >= 1}
 * @param padH        zero rows added above and below, {@code >= 0}
 * @param padW        zero columns added left and right, {@code >= 0}
 * @param dilationH   vertical spacing of kernel taps, {@code >= 1}
 * @param dilationW   horizontal spacing of kernel taps, {@code >= 1}
 * @param groups      channel groups, {@code >= 1}
 */
public record Conv2dSpec(int batch, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
                         int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {

    /**
     * Validates the geometry.
     *
     * @throws IllegalArgumentException naming the bad values when a size is out of range, the
     *                                  channels are not multiples of the groups, or the output
     *                                  would be empty
     */
    public Conv2dSpec {
        if (batch < 1 || inChannels < 1 || height < 1 || width < 1 || outChannels < 1 || kernelH < 1 || kernelW < 1
                || strideH < 1 || strideW < 1 || padH < 0 || padW < 0 || dilationH < 1 || dilationW < 1 || groups < 1) {
            throw new IllegalArgumentException("conv2d: invalid geometry " + describe(batch, inChannels, height, width,
                    outChannels, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, groups));
        }
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("conv2d: " + inChannels + " input and " + outChannels
                    + " output channels must both be multiples of groups " + groups);
        }
        if (outSize(height, kernelH, strideH, padH, dilationH) < 1 || outSize(width, kernelW, strideW, padW, dilationW) < 1) {
            throw new IllegalArgumentException("conv2d: the kernel (" + kernelH + "x" + kernelW + ", dilation " + dilationH
                    + "x" + dilationW + ") is larger than the padded input (" + (height + 2 * padH) + "x" + (width + 2 * padW)
                    + ")");
        }
    }

    /** Returns the output size along one axis, PyTorch's formula (may be below 1 for a kernel that does not fit). */
    public static int outSize(int in, int kernel, int stride, int pad, int dilation) {
        int span = dilation * (kernel - 1) + 1;
        int room = in + 2 * pad - span;
        return room < 0 ? 0 : room / stride + 1;
    }

    /** Returns the output height. */
    public int outH() {
        return outSize(height, kernelH, strideH, padH, dilationH);
    }

    /** Returns the output width. */
    public int outW() {
        return outSize(width, kernelW, strideW, padW, dilationW);
    }

    /** Returns the input channels of one group, {@code inChannels / groups}. */
    public int inPerGroup() {
        return inChannels / groups;
    }

    /** Returns the output channels of one group, {@code outChannels / groups}. */
    public int outPerGroup() {
        return outChannels / groups;
    }

    /** Returns {@code kernelH * kernelW}. */
    public int kernelSize() {
        return kernelH * kernelW;
    }

    /** Returns the rows of the unfolded input of one image, {@code inChannels * kernelH * kernelW}. */
    public int colRows() {
        return inChannels * kernelH * kernelW;
    }

    /** Returns the columns of the unfolded input of one image, {@code outH * outW}. */
    public int colCols() {
        return outH() * outW();
    }

    /** Returns this geometry with another batch size (a chunk of the batch). */
    public Conv2dSpec withBatch(int n) {
        return new Conv2dSpec(n, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW,
                dilationH, dilationW, groups);
    }

    /** Returns the multiply-adds of the whole convolution, {@code N * OC * outH * outW * C/groups * kH * kW}. */
    public long multiplyAdds() {
        return (long) batch * outChannels * outH() * outW() * inPerGroup() * kernelH * kernelW;
    }

    private static String describe(int... v) {
        return String.format("(batch %d, in %d, %dx%d, out %d, kernel %dx%d, stride %dx%d, padding %dx%d, dilation %dx%d,"
                + " groups %d)", v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]);
    }
}
