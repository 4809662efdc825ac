#!/usr/bin/env bash
# Tessera vs PyTorch, side by side, in one command:
#
#   benchmarks/compare.sh [--threads 1,2] [--only REGEX] [--quick] [--no-build]
#
# 1. installs Debian's python3-torch and OpenBLAS's OpenMP build (libopenblas0-openmp) with
#    apt-get if they are missing (needs root or sudo; runs `apt-get update` once first);
# 2. builds benchmarks/target/tessera-benchmarks.jar with Maven (skip with --no-build);
# 3. checks that torch loads OpenBLAS's OpenMP build through
#    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp, and refuses to go on otherwise
#    (the reference BLAS or the pthreads build would be a weak peer that flatters Tessera);
# 4. runs the workloads alternately in Tessera and PyTorch with 1 and 2 threads (compare.py),
#    prints a Markdown table and writes it to benchmarks/results/DATE-MACHINE.md.
# A full run takes about 8 minutes on 2 cores.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
openmp_dir=/usr/lib/x86_64-linux-gnu/openblas-openmp
python=/usr/bin/python3   # Debian's python3-torch lives in the system Python, not in a pyenv/venv one

build=1
args=()
for a in "$@"; do
    case "$a" in
        --no-build) build=0 ;;
        -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) args+=("$a") ;;
    esac
done

# ---- 1. packages
missing=()
dpkg-query -W -f='${Status}' python3-torch 2>/dev/null | grep -q "install ok installed" || missing+=(python3-torch)
dpkg-query -W -f='${Status}' libopenblas0-openmp 2>/dev/null | grep -q "install ok installed" || missing+=(libopenblas0-openmp)
if ((${#missing[@]})); then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "compare.sh: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
        sudo=sudo
    fi
    echo "compare.sh: installing ${missing[*]}" >&2
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi
[ -f "$openmp_dir/libopenblas.so.0" ] || { echo "compare.sh: $openmp_dir/libopenblas.so.0 is missing" >&2; exit 1; }

# ---- 2. the benchmarks jar
if ((build)); then
    echo "compare.sh: building the benchmarks jar" >&2
    (cd "$root" && mvn -q -B -pl benchmarks -am package -DskipTests)
fi
jar="$here/target/tessera-benchmarks.jar"
[ -f "$jar" ] || { echo "compare.sh: $jar not found (run without --no-build)" >&2; exit 1; }
# Run from a private copy, so that a rebuild during the run cannot change the code under test.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$jar" "$tmp/tessera-benchmarks.jar"

# ---- 3. which BLAS torch loads
export LD_LIBRARY_PATH="$openmp_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# Let OpenBLAS choose its kernels for this CPU: an inherited OPENBLAS_CORETYPE=Haswell on an AVX-512
# machine halves its SGEMM speed, which would flatter Tessera.
for v in $(compgen -e | grep '^OPENBLAS_' || true); do
    echo "compare.sh: ignoring $v=${!v} from the environment" >&2
    unset "$v"
done
if ! blas="$("$python" "$here/compare.py" check-blas)"; then
    echo "compare.sh: refusing to compare: torch did not load OpenBLAS's OpenMP build: $blas" >&2
    exit 1
fi
echo "compare.sh: $blas" >&2

# ---- 4. the comparison
"$python" "$here/compare.py" run --jar "$tmp/tessera-benchmarks.jar" --out "$here/results" "${args[@]}"
