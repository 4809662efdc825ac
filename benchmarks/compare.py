#!/usr/bin/python3
"""Side-by-side comparison of Tessera and PyTorch on the same workloads.

Modes:
  compare.py run --jar JAR [--threads 1,2] [--out DIR] [--quick]
      The coordinator (Python standard library only): for each thread count it starts
      Tessera's server (java ... dev.tessera.bench.Compare serve) and PyTorch's server
      (compare.py serve), alternates them workload by workload (Tessera, PyTorch, Tessera,
      PyTorch), runs the MLP memory probe of each in its own process, and prints and writes
      a Markdown table.
  compare.py serve --threads N
      PyTorch's server: the same line protocol as dev.tessera.bench.Compare.
  compare.py rss --threads N
      One epoch of the MLP over 60,000 random examples; prints "ok rss VMHWM_KB EPOCH_S".
  compare.py check-blas
      Prints the BLAS that torch loaded; exits with 1 unless it is OpenBLAS's OpenMP build.

Keep the workloads here in step with dev.tessera.bench.Workloads.
"""
import argparse
import ctypes
import datetime
import math
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time

OPENMP_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
LR, MOMENTUM = 0.01, 0.9
MIN_SAMPLE_S, MIN_SAMPLES, MAX_SAMPLES = 0.002, 5, 2000
RSS_RUNS = 5  # fresh processes per framework for the epoch's peak memory and cold time

# name -> (label in the table, unit to print)
WORKLOADS = [
    ("sgemm-256", "SGEMM n=256 (matmul)"),
    ("sgemm-1024", "SGEMM n=1024 (matmul)"),
    ("sgemm-2048", "SGEMM n=2048 (matmul)"),
    ("conv2d-fwd", "conv2d fwd 32x64x56x56, 64->64 3x3 p1"),
    ("conv2d-fwdbwd", "conv2d fwd+bwd 32x64x56x56, 64->64 3x3 p1"),
    ("mlp-step-64", "MLP 784-256-128-10 SGD step, batch 64"),
    ("mlp-step-256", "MLP 784-256-128-10 SGD step, batch 256"),
    ("lenet-step-64", "LeNet-5 SGD step, batch 64"),
    ("mha-fwdbwd", "MultiheadAttention fwd+bwd E128 H4 L128 N32"),
    ("mha-causal-fwdbwd", "MultiheadAttention fwd+bwd, causal mask, E128 H4 L128 N32"),
    ("transformer-fwdbwd", "TransformerEncoderLayer fwd+bwd d128 H4 ff512 N32 S64"),
    ("lstm-fwdbwd", "LSTM fwd+bwd in256 H256 T100 N32"),
    ("gru-fwdbwd", "GRU fwd+bwd in256 H256 T100 N32"),
    ("add-nograd", "per-op overhead: add 1-elem, no autograd"),
    ("add-grad", "per-op overhead: add 1-elem, autograd"),
]
FLOPS = {"sgemm-256": 2 * 256 ** 3, "sgemm-1024": 2 * 1024 ** 3, "sgemm-2048": 2 * 2048 ** 3}


# ---------------------------------------------------------------- PyTorch side

def blas_report():
    """Returns (ok, text): which BLAS torch loaded, judged from /proc/self/maps and OpenBLAS itself."""
    import torch
    a = torch.randn(64, 64)
    (a @ a).sum().item()  # make sure the BLAS is loaded and used
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if re.search(r"lib(open)?blas|liblapack|libmkl|libblis", os.path.basename(path)):
                libs.add(path)
    openblas = sorted(p for p in libs if "libopenblas" in os.path.basename(p))
    parallel, config = None, ""
    if openblas:
        lib = ctypes.CDLL(openblas[0])
        lib.openblas_get_parallel.restype = ctypes.c_int
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        parallel = lib.openblas_get_parallel()
        config = "%s, kernels for %s" % (lib.openblas_get_config().decode(), lib.openblas_get_corename().decode())
    kinds = {0: "sequential", 1: "pthreads", 2: "OpenMP"}
    ok = (len(openblas) == 1 and openblas[0].startswith(OPENMP_DIR + "/") and parallel == 2
          and all(p.startswith(OPENMP_DIR + "/") for p in libs))
    build = re.search(r"BLAS_INFO=([^,]*)", torch.__config__.show())
    text = ("torch %s (BLAS_INFO=%s); BLAS libraries mapped: %s; OpenBLAS threading: %s; config: %s"
            % (torch.__version__, build.group(1) if build else "?", ", ".join(sorted(libs)) or "none",
               kinds.get(parallel, "n/a"), config or "n/a"))
    return ok, text


def torch_workload(name):
    """Builds workload `name`; returns a function run(k) that does it k times."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    g = torch.Generator().manual_seed(1)

    def labels(n):
        return torch.randint(0, 10, (n,), generator=g)

    def train_step(model, x, y):
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)

        def run(k):
            for _ in range(k):
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
        return run

    def fwd_bwd(module, seq, batch, embed, call):
        module.train()
        x = torch.randn(seq, batch, embed, generator=g).requires_grad_(True)
        grad_out = torch.randn(seq, batch, embed, generator=g)

        def run(k):
            for _ in range(k):
                module.zero_grad(set_to_none=True)
                x.grad = None
                call(module, x).backward(grad_out)
        return run

    if name.startswith("sgemm-"):
        n = int(name.split("-")[1])
        a, b = torch.randn(n, n, generator=g), torch.randn(n, n, generator=g)

        def run(k):
            for _ in range(k):
                torch.mm(a, b)
        return run
    if name.startswith("conv2d-"):
        x = torch.randn(32, 64, 56, 56, generator=g).requires_grad_(True)
        w = (torch.randn(64, 64, 3, 3, generator=g) / 24).requires_grad_(True)
        bias = torch.randn(64, generator=g).requires_grad_(True)
        if name == "conv2d-fwd":
            def run(k):
                with torch.no_grad():
                    for _ in range(k):
                        F.conv2d(x, w, bias, padding=1)
            return run
        grad_out = torch.randn(32, 64, 56, 56, generator=g)

        def run(k):
            for _ in range(k):
                x.grad = w.grad = bias.grad = None
                F.conv2d(x, w, bias, padding=1).backward(grad_out)
        return run
    if name.startswith("mlp-step-"):
        batch = int(name.split("-")[2])
        return train_step(mlp(), torch.rand(batch, 784, generator=g), labels(batch))
    if name == "lenet-step-64":
        return train_step(lenet(), torch.rand(64, 1, 28, 28, generator=g), labels(64))
    if name == "mha-fwdbwd":
        return fwd_bwd(nn.MultiheadAttention(128, 4), 128, 32, 128,
                       lambda m, x: m(x, x, x, need_weights=False)[0])
    if name == "mha-causal-fwdbwd":
        causal = torch.triu(torch.ones(128, 128, dtype=torch.bool), 1)  # True = masked out
        return fwd_bwd(nn.MultiheadAttention(128, 4), 128, 32, 128,
                       lambda m, x: m(x, x, x, attn_mask=causal, need_weights=False)[0])
    if name == "transformer-fwdbwd":
        return fwd_bwd(nn.TransformerEncoderLayer(128, 4, 512, dropout=0.1), 64, 32, 128, lambda m, x: m(x))
    if name == "lstm-fwdbwd":
        return fwd_bwd(nn.LSTM(256, 256), 100, 32, 256, lambda m, x: m(x)[0])
    if name == "gru-fwdbwd":
        return fwd_bwd(nn.GRU(256, 256), 100, 32, 256, lambda m, x: m(x)[0])
    if name.startswith("add-"):
        grad = name == "add-grad"
        a = torch.tensor([1.0], requires_grad=grad)
        b = torch.tensor([2.0], requires_grad=grad)

        def run(k):
            for _ in range(k):
                a + b
        return run
    raise KeyError(name)


def mlp():
    import torch.nn as nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def lenet():
    import torch.nn as nn
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def measure(run, warmup_s, measure_s):
    """Same procedure as Compare.measure: warm-up, then samples of seconds per call."""
    start, calls = time.perf_counter(), 0
    while calls < 2 or time.perf_counter() - start < warmup_s:
        run(1)
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    group = max(1, math.ceil(MIN_SAMPLE_S / max(per_call, 1e-9)))
    samples, t0 = [], time.perf_counter()
    while len(samples) < MIN_SAMPLES or (time.perf_counter() - t0 < measure_s and len(samples) < MAX_SAMPLES):
        s = time.perf_counter()
        run(group)
        samples.append((time.perf_counter() - s) / group)
    return samples


def set_threads(n):
    import torch
    torch.set_num_threads(n)
    if torch.get_num_threads() != n:
        sys.exit("compare.py: torch.set_num_threads(%d) left %d threads" % (n, torch.get_num_threads()))


def serve(threads):
    import torch
    set_threads(threads)
    ok, text = blas_report()
    if not ok:
        sys.exit("compare.py: refusing to compare: torch did not load OpenBLAS's OpenMP build from %s: %s"
                 % (OPENMP_DIR, text))
    built = {}
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        try:
            if cmd[0] == "quit":
                return
            if cmd[0] == "info":
                print("ok info threads=%d %s" % (torch.get_num_threads(), text), flush=True)
            elif cmd[0] == "run":
                name = cmd[1]
                if name not in built:
                    built[name] = torch_workload(name)
                samples = measure(built[name], float(cmd[2]), float(cmd[3]))
                print("ok %s %s" % (name, " ".join("%.9g" % s for s in samples)), flush=True)
            else:
                print("error unknown command %r" % line.strip(), flush=True)
        except Exception as e:  # report and keep serving
            print("error %s" % repr(e).replace("\n", " "), flush=True)


def rss(threads):
    import torch
    import torch.nn.functional as F
    set_threads(threads)
    n = 60000
    g = torch.Generator().manual_seed(7)
    x = torch.rand(n, 784, generator=g)
    y = torch.randint(0, 10, (n,), generator=g)
    torch.manual_seed(0)
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    start = time.perf_counter()
    perm = torch.randperm(n, generator=g)
    for i in range(0, n, 64):
        idx = perm[i:i + 64]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        last = loss.item()
    seconds = time.perf_counter() - start
    if not math.isfinite(last):
        sys.exit("rss: the loss diverged")
    print("ok rss %d %.3f" % (vm_hwm_kb(), seconds), flush=True)


def vm_hwm_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(re.sub(r"[^0-9]", "", line))
    return -1


# ---------------------------------------------------------------- coordinator

class Server:
    """A workload server in a child process, spoken to one line at a time."""

    def __init__(self, label, argv, env):
        self.label = label
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                     text=True, bufsize=1)

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise RuntimeError("%s server died (exit %s) on '%s'" % (self.label, self.proc.wait(), line))
        if not answer.startswith("ok "):
            raise RuntimeError("%s server: %s" % (self.label, answer.strip()))
        return answer.split()[2:]

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        self.proc.wait(timeout=30)


def java_cmd(args, threads, mode, heap):
    return [args.java, "--add-modules=jdk.incubator.vector", "-Dtessera.threads=%d" % threads,
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"] + heap + [
            "-cp", args.jar, "dev.tessera.bench.Compare", mode]


def torch_env(threads):
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = OPENMP_DIR + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    env["OMP_NUM_THREADS"] = str(threads)
    # OpenBLAS picks its kernels for the CPU it finds; an inherited OPENBLAS_CORETYPE (e.g. Haswell on an
    # AVX-512 machine) or cache-size override would make PyTorch a weaker peer than a user gets.
    for k in [k for k in env if k.startswith("OPENBLAS_")]:
        del env[k]
    return env


def load():
    return " ".join("%.2f" % v for v in os.getloadavg())


def fmt_time(s):
    if s < 1e-6:
        return "%.0f ns" % (s * 1e9)
    if s < 1e-3:
        return "%.1f µs" % (s * 1e6)
    if s < 1:
        return "%.2f ms" % (s * 1e3)
    return "%.2f s" % s


def machine():
    """Returns ('AMD EPYC', cores) from /proc/cpuinfo, and a detail string (family, model, AVX-512)."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if ":" in line:
                    k, v = (x.strip() for x in line.split(":", 1))
                    info.setdefault(k, v)
    except OSError:
        pass
    return info.get("model name", "unknown CPU"), os.cpu_count(), (
        "family %s model %s, %s" % (info.get("cpu family", "?"), info.get("model", "?"),
                                    "AVX-512" if "avx512f" in info.get("flags", "").split() else "no AVX-512"))


def run(args):
    threads_list = [int(t) for t in args.threads.split(",")]
    rounds, warm1, warm2, meas = (1, 0.5, 0.2, 0.5) if args.quick else (2, 5.0, 0.5, 1.5)
    rss_runs = 1 if args.quick else RSS_RUNS
    me = os.path.abspath(__file__)
    started = datetime.datetime.now()
    load_before = load()
    rows, rss_rows, infos = [], [], {}
    for t in threads_list:
        print("== %d thread(s): starting Tessera and PyTorch servers (load %s)" % (t, load()), file=sys.stderr)
        java = Server("Tessera", java_cmd(args, t, "serve", ["-Xmx3g"]), dict(os.environ))
        torch_srv = Server("PyTorch", [sys.executable, me, "serve", "--threads", str(t)], torch_env(t))
        try:
            infos["Tessera"] = " ".join(java.ask("info"))
            infos["PyTorch"] = " ".join(torch_srv.ask("info"))
            for name, label in WORKLOADS:
                if args.only and not re.search(args.only, name):
                    continue
                samples = {"Tessera": [], "PyTorch": []}
                for r in range(rounds):
                    for srv in (java, torch_srv):
                        warm = warm1 if r == 0 else warm2
                        samples[srv.label] += [float(s) for s in srv.ask("run %s %g %g" % (name, warm, meas))]
                tm, pm = statistics.median(samples["Tessera"]), statistics.median(samples["PyTorch"])
                rows.append((name, label, t, tm, pm, min(samples["Tessera"]), min(samples["PyTorch"])))
                print("   %-20s %d thr  Tessera %-10s PyTorch %-10s PyTorch/Tessera %.2f  (load %s)"
                      % (name, t, fmt_time(tm), fmt_time(pm), pm / tm, load()), file=sys.stderr)
        finally:
            java.close()
            torch_srv.close()
        if not args.only or re.search(args.only, "rss"):
            # A cold JVM's epoch varies run to run with what the JIT compiles when (and the heap with
            # when G1 grows it), so each framework runs several fresh processes, alternately.
            res = {"Tessera": [], "PyTorch": []}
            for _ in range(rss_runs):
                for label, argv, env in (("Tessera", java_cmd(args, t, "rss", []), dict(os.environ)),
                                         ("PyTorch", [sys.executable, me, "rss", "--threads", str(t)], torch_env(t))):
                    out = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, check=True).stdout.split()
                    res[label].append((int(out[2]), float(out[3])))
                print("   MLP epoch RSS      %d thr  Tessera %d MB %.2f s  PyTorch %d MB %.2f s"
                      % (t, res["Tessera"][-1][0] // 1024, res["Tessera"][-1][1], res["PyTorch"][-1][0] // 1024,
                         res["PyTorch"][-1][1]), file=sys.stderr)
            rss_rows.append((t, res))
    ended = datetime.datetime.now()
    table = markdown(args, rows, rss_rows, infos, started, ended, load_before, load(), rounds)
    print(table)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        model, _, _ = machine()
        slug = re.sub(r"[^a-z0-9]+", "-", model.lower()).strip("-")
        path = os.path.join(args.out, "%s-%s.md" % (started.strftime("%Y-%m-%d"), slug))
        with open(path, "w") as f:
            f.write(table)
        print("Written to %s" % path, file=sys.stderr)


def markdown(args, rows, rss_rows, infos, started, ended, load_before, load_after, rounds):
    model, cores, detail = machine()
    java_version = subprocess.run([args.java, "-version"], stderr=subprocess.PIPE, text=True).stderr.splitlines()[0]
    lines = [
        "# Tessera vs PyTorch, %s" % started.strftime("%Y-%m-%d %H:%M"),
        "",
        "Machine: %s (%s), %d cores, %s, host %s. Load average (1, 5, 15 min) %s at the start, %s at the end"
        % (model, detail, cores, platform.system(), socket.gethostname(), load_before, load_after)
        + (" (other processes shared the cores: the timings are noisy, 2-thread ones most)."
           if max(float(x) for x in (load_before + " " + load_after).split()) > 1.2 else "."),
        "",
        "* Tessera: %s; %s. PyTorch: %s." % (infos.get("Tessera", "?"), java_version, infos.get("PyTorch", "?")),
        "* Median time per call over all samples of %d alternating rounds per workload (Tessera, PyTorch, ...),"
        " after a warm-up in each process; same shapes, same thread count (Tessera `-Dtessera.threads`,"
        " PyTorch `torch.set_num_threads` + `OMP_NUM_THREADS`). Ratio = PyTorch time / Tessera time:"
        " above 1 means Tessera is faster. The best-time ratio compares the fastest samples instead, which"
        " a busy machine disturbs less. Run: `benchmarks/compare.sh` (%s to %s)."
        % (rounds, started.strftime("%H:%M:%S"), ended.strftime("%H:%M:%S")),
        "",
        "| workload | threads | Tessera | PyTorch | PyTorch/Tessera | best-time ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, label, t, tm, pm, tb, pb in rows:
        extra = ""
        if name in FLOPS:
            extra = " (%.0f vs %.0f GFLOP/s)" % (FLOPS[name] / tm / 1e9, FLOPS[name] / pm / 1e9)
        lines.append("| %s | %d | %s | %s | **%.2f**%s | %.2f |"
                     % (label, t, fmt_time(tm), fmt_time(pm), pm / tm, extra, pb / tb))
    if rss_rows:
        runs = len(rss_rows[0][1]["Tessera"])
        lines += ["", "Peak memory (VmHWM) and time of one MLP training epoch (60,000 random 784-float examples held"
                  " in memory, batch 64, SGD), each framework in %d fresh processes, alternately, with default settings"
                  " (the JVM without -Xmx): medians, and the range in brackets. Ratios above 1 mean Tessera uses"
                  " less memory or takes less time." % runs, "",
                  "| threads | Tessera peak RSS | PyTorch peak RSS | PyTorch/Tessera | Tessera epoch (cold JVM) |"
                  " PyTorch epoch | PyTorch/Tessera |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for t, res in rss_rows:
            tk, pk = (statistics.median(r[0] for r in res[k]) for k in ("Tessera", "PyTorch"))
            ts, ps = (statistics.median(r[1] for r in res[k]) for k in ("Tessera", "PyTorch"))
            lines.append("| %d | %s | %s | %.2f | %s | %s | %.2f |"
                         % (t, rss_range(res["Tessera"]), rss_range(res["PyTorch"]), pk / tk,
                            epoch_range(res["Tessera"]), epoch_range(res["PyTorch"]), ps / ts))
    return "\n".join(lines) + "\n"


def rss_range(runs):
    kb = sorted(r[0] for r in runs)
    med = "%d MB" % (statistics.median(kb) // 1024)
    return med if len(kb) == 1 else "%s (%d-%d)" % (med, kb[0] // 1024, kb[-1] // 1024)


def epoch_range(runs):
    s = sorted(r[1] for r in runs)
    med = "%.2f s" % statistics.median(s)
    return med if len(s) == 1 else "%s (%.2f-%.2f)" % (med, s[0], s[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["run", "serve", "rss", "check-blas"])
    p.add_argument("--threads", default="1,2")
    p.add_argument("--jar", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "target",
                                                 "tessera-benchmarks.jar"))
    p.add_argument("--java", default="java")
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    p.add_argument("--only", default=None, help="regex: run only the matching workloads (and 'rss')")
    p.add_argument("--quick", action="store_true", help="one round, short warm-up (a smoke test)")
    args = p.parse_args()
    if args.mode == "serve":
        serve(int(args.threads))
    elif args.mode == "rss":
        rss(int(args.threads))
    elif args.mode == "check-blas":
        ok, text = blas_report()
        print(text)
        sys.exit(0 if ok else 1)
    else:
        run(args)


if __name__ == "__main__":
    main()
