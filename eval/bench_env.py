"""The machine under the benchmark: CPU, load, matmul FLOP/s peak, process memory, loopback ports.

MiniLM-L6 FLOPs per token (all-MiniLM-L6-v2: 6 layers, hidden d = 384, feed-forward 1,536):
the matrix multiplies of one layer hold 4·d² (Q, K, V, output) + 2·d·1536 (feed-forward) =
1,769,472 weights, so 6 layers are 10.6 M weights and 2 × 10.6 M = 21.2 MFLOP per token; attention
adds QKᵀ and A·V, 2 × 2·L·d per token per layer = 4·L·d·6 (1.5 MFLOP at L = 160, 2.4 MFLOP at
L = 256). Embeddings, layer norms, softmax and GELU are a few percent and not counted.
"""

from __future__ import annotations

import os
import platform
import socket
import statistics
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

LAYERS = 6
HIDDEN = 384
FFN = 1536
MATMUL_WEIGHTS = LAYERS * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN)  # 10,616,832


def flops_per_token(seq_len: float) -> float:
    """Multiply-add FLOPs of one token in a sequence of ``seq_len`` word pieces."""
    return 2.0 * MATMUL_WEIGHTS + 4.0 * seq_len * HIDDEN * LAYERS


def flops_of_sequences(lengths: Iterable[int]) -> float:
    """Total FLOPs to embed sequences of these lengths (no padding counted)."""
    return sum(n * flops_per_token(n) for n in lengths)


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded."""
    return [round(x, 2) for x in os.getloadavg()]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> list[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                have = set(line.split(":", 1)[1].split())
                return [
                    f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni") if f in have
                ]
    except OSError:
        pass
    return []


def machine() -> dict[str, Any]:
    import numpy
    import onnxruntime
    import torch

    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "onnxruntime": onnxruntime.__version__,
        "kernel": platform.release(),
    }


def matmul_peak(size: int = 2048, repeats: int = 7, budget_s: float = 30.0) -> dict[str, Any]:
    """float32 matmul FLOP/s with numpy and torch on all cores: best and median of ``repeats``."""
    import numpy as np
    import torch

    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    flops = 2.0 * size**3
    out: dict[str, Any] = {"size": size, "load_before": load()}
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    deadline = time.monotonic() + budget_s
    for name, fn in (("numpy", lambda: a @ b), ("torch", lambda: torch.mm(ta, tb))):
        fn()  # warm-up: thread pools, page faults
        rates = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            rates.append(flops / (time.perf_counter() - t0))
            if time.monotonic() > deadline:
                break
        out[name] = {
            "best_gflops": round(max(rates) / 1e9, 2),
            "median_gflops": round(statistics.median(rates) / 1e9, 2),
        }
    out["peak_flops"] = max(out["numpy"]["best_gflops"], out["torch"]["best_gflops"]) * 1e9
    out["load_after"] = load()
    return out


def proc_memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak RSS) of a process, in MB, from /proc."""
    got: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                got[key] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return got


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentiles(values: list[float]) -> dict[str, float | None]:
    from eval.metrics import percentile

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 2)

    return {
        "n": len(values),
        "p50": r(percentile(values, 50)),
        "p95": r(percentile(values, 95)),
        "p99": r(percentile(values, 99)),
        "mean": r(statistics.fmean(values)) if values else None,
    }
