#!/usr/bin/env bash
# Regenerates the PTX that the CUDA backend ships (src/main/resources/dev/tessera/cuda/ptx/*.ptx)
# from the shared kernel sources in core/src/main/resources/dev/tessera/kernels/.
#
# Each <name>.c is compiled as prelude_cuda.h + common.h + <name>.c (the unit the backend's tests
# assemble the same way) with `nvcc -ptx -arch=compute_75` (Turing and every newer GPU). nvcc 13
# writes `.version 9.0`, which only r580+ drivers accept; the kernels use nothing newer than PTX
# ISA 7.8, so the header is lowered to `.version 7.8` (accepted by drivers from CUDA 11.8 on). The
# tests prove the result is valid: ShippedPtxTest assembles every file for sm_80 and sm_90 with
# JCuda's bundled PTX compiler, and fails when a file's recorded source hash no longer matches
# the sources (run this script after changing a kernel).
#
# Usage: backend-cuda/generate-ptx.sh        (needs nvcc on the PATH)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kernels="$here/../core/src/main/resources/dev/tessera/kernels"
out="$here/src/main/resources/dev/tessera/cuda/ptx"
ptx_version="7.8"
arch="compute_75"

command -v nvcc >/dev/null 2>&1 || { echo "generate-ptx.sh: nvcc is not on the PATH; install the CUDA toolkit" >&2; exit 1; }
nvcc_version="$(nvcc --version | grep -o 'release [0-9.]*' | head -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
rm -f "$out"/*.ptx

for src in "$kernels"/*.c; do
  file="$(basename "$src")"
  name="${file%.c}"
  unit="$work/$name.cu"
  # Byte for byte what CudaKernels.unit(file) assembles in Java (its SHA-256 is recorded below).
  {
    cat "$kernels/prelude_cuda.h"
    printf '\n#line 1 "common.h"\n'
    cat "$kernels/common.h"
    printf '\n#line 1 "%s"\n' "$file"
    cat "$src"
  } > "$unit"
  hash="$(sha256sum "$unit" | cut -d' ' -f1)"
  nvcc -ptx -arch="$arch" -o "$work/$name.ptx" "$unit"
  grep -q '^\.version ' "$work/$name.ptx" || { echo "generate-ptx.sh: no .version line in $name.ptx" >&2; exit 1; }
  {
    echo "// Tessera kernels: $file compiled by generate-ptx.sh (nvcc $nvcc_version, -arch=$arch, .version lowered to $ptx_version); do not edit."
    echo "// tessera-source-sha256: $hash"
    sed -e "s/^\.version [0-9.]*/.version $ptx_version/" "$work/$name.ptx"
  } > "$out/$name.ptx"
  echo "$name.ptx  ($(grep -c '^\.entry\|^\.visible \.entry' "$out/$name.ptx") kernels)"
done
