#!/usr/bin/env bash
# The GPU check: on a machine with an NVIDIA GPU (no Java and no network needed), runs from the
# bundle that build-gpu-bundle.sh makes:
#   1. the conformance kit and backend-cuda's own tests (training parity, both GEMMs, memory, the
#      probe) on cuda:0, through the JUnit launcher (dev.tessera.cuda.GpuCheck);
#   2. timed training steps (MLP, LeNet, ResNet-18 at batch 64, a Transformer encoder layer) on
#      cuda:0 and on the CPU (dev.tessera.cuda.StepTimes).
# Writes gpu-check.log and gpu-check-results.txt to $OUT if set, else to <bundle>/out. Where no
# GPU can be used, the tests are skipped with the reason and no step is timed; the script still
# succeeds. Exit status: 0 when no test failed. Meant to finish within 8 minutes on an H200.
#
# Usage: gpu-check.sh [bundle-dir | gpu-bundle.tar.gz]
#   (default: the folder this script is in when it holds runtime/, else backend-cuda/target/gpu-bundle)
# Environment: GPU_CHECK_TEST_TIMEOUT (s, default 280), GPU_CHECK_STEPS_TIMEOUT (s, default 170),
#   GPU_CHECK_JAVA_OPTS (extra JVM options, e.g. -Dtessera.steps.devices=cpu -Dtessera.steps.small=true
#   to rehearse the timings on the CPU alone).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bundle="${1:-}"
if [ -z "$bundle" ]; then
  if [ -x "$here/runtime/bin/java" ]; then bundle="$here"; else bundle="$here/target/gpu-bundle"; fi
fi
if [ -f "$bundle" ]; then # a .tar.gz: unpack next to it
  dest="$(mktemp -d "${TMPDIR:-/tmp}/gpu-bundle.XXXXXX")"
  tar -C "$dest" -xzf "$bundle" || { echo "gpu-check.sh: cannot unpack $bundle" >&2; exit 2; }
  bundle="$dest/gpu-bundle"
fi
bundle="$(cd "$bundle" && pwd)"
java="$bundle/runtime/bin/java"
[ -x "$java" ] || { echo "gpu-check.sh: no Java runtime at $java; build the bundle with backend-cuda/build-gpu-bundle.sh" >&2; exit 2; }
out="${OUT:-$bundle/out}"
mkdir -p "$out"
log="$out/gpu-check.log"
results="$out/gpu-check-results.txt"
: > "$log"
: > "$results"
exec > >(tee -a "$log") 2>&1

echo "== Tessera GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), bundle $bundle"
echo "host: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1 | sed 's/^/gpu: /'
else
  echo "gpu: nvidia-smi not found"
fi
echo "host: $(uname -srm), $(nproc) CPUs" >> "$results"
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
  2>/dev/null | sed 's/^/gpu: /' >> "$results"

# cuBLAS 12 (libcublas.so.12): on the system, or from a pip wheel (nvidia-cublas-cu12, e.g. under
# PyTorch); without it the backend multiplies with its own kernel and says so.
if ! ldconfig -p 2>/dev/null | grep -q 'libcublas.so.12 '; then
  for dir in /usr/local/cuda*/lib64 /usr/local/cuda*/targets/x86_64-linux/lib \
             /usr/lib/python3*/site-packages/nvidia/cublas/lib /usr/local/lib/python3*/*-packages/nvidia/cublas/lib \
             /opt/conda/lib/python3*/site-packages/nvidia/cublas/lib "$HOME"/.local/lib/python3*/site-packages/nvidia/cublas/lib; do
    if [ -e "$dir/libcublas.so.12" ]; then
      export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      echo "cuBLAS: using $dir/libcublas.so.12"
      break
    fi
  done
fi

opts=(--add-modules=jdk.incubator.vector -Xmx16g -Dtessera.test.device=cuda:0 ${GPU_CHECK_JAVA_OPTS:-})
cp="$bundle/tests/kit:$bundle/tests/cuda:$bundle/lib/*"
# Some tests read the kernel sources at ../core/src/main/resources/dev/tessera/kernels (bundled).
cd "$bundle/backend-cuda"

status=0
echo "== 1. conformance kit and CUDA tests on cuda:0"
start=$(date +%s)
timeout "${GPU_CHECK_TEST_TIMEOUT:-280}" "$java" "${opts[@]}" -cp "$cp" dev.tessera.cuda.GpuCheck "$results" \
  "$bundle/tests/kit" "$bundle/tests/cuda"
rc=$?
[ $rc -eq 124 ] && echo "tests: stopped after ${GPU_CHECK_TEST_TIMEOUT:-280} s" | tee -a "$results"
[ $rc -ne 0 ] && status=1
echo "tests took $(( $(date +%s) - start )) s (exit $rc)"

echo "== 2. timed training steps"
start=$(date +%s)
timeout "${GPU_CHECK_STEPS_TIMEOUT:-170}" "$java" "${opts[@]}" -cp "$cp" dev.tessera.cuda.StepTimes "$results"
rc=$?
[ $rc -eq 124 ] && echo "timed steps: stopped after ${GPU_CHECK_STEPS_TIMEOUT:-170} s" | tee -a "$results"
[ $rc -ne 0 ] && status=1
echo "steps took $(( $(date +%s) - start )) s (exit $rc)"

echo "== results ($results)"
cat "$results"
exit $status
