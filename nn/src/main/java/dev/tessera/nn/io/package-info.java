/**
 * Weight files: {@link dev.tessera.nn.io.SafeTensors} reads and writes the safetensors format used
 * by PyTorch and Hugging Face, with every size and offset checked against the file, and atomic
 * writes.
 */
package dev.tessera.nn.io;
