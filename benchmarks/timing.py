"""Timing helpers: a child process's wall time and peak RSS, percentiles, the machine."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# `flows.progress` logs each stage of a run as `… bpw <run_id> <stage>: <note> (1.2 s)`
_STAGE = re.compile(r"\bbpw \S+ ([a-z][a-z ]*): .*\((\d+(?:\.\d+)?) s\)\s*$")


@dataclass
class Run:
    """One child process: what it was, how long it took, how much memory it peaked at."""

    command: list[str]
    wall: float
    max_rss: int  # bytes: the largest resident set of the child (or of a child it reaped)
    returncode: int
    stdout: str
    stderr: str
    stages: dict[str, float] = field(default_factory=dict)
    tree_rss: int | None = None  # bytes: peak of the sampled sum over the child's process tree

    def check(self, allowed: tuple[int, ...] = (0,)) -> Run:
        if self.returncode not in allowed:
            tail = (self.stderr or self.stdout)[-3000:]
            raise RuntimeError(f"{' '.join(self.command)} exited {self.returncode}:\n{tail}")
        return self


class TreeSampler:
    """The peak of the summed resident sets of a process and all its descendants, sampled
    every `interval` seconds on a thread (Dask's worker processes are grandchildren of a
    run: `wait4` gives only the largest single one)."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            total = 0
            try:
                for process in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                        total += process.memory_info().rss
            except psutil.NoSuchProcess:
                return
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run(
    command: list[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    tree: bool = False,
) -> Run:
    """Run `command` to completion; wall seconds and peak RSS from `wait4` (this child only,
    so earlier children of the benchmark never inflate it); with `tree`, also the sampled
    peak of the whole process tree's summed RSS."""
    out_path = Path(f"/tmp/bpw-bench-{os.getpid()}-{time.monotonic_ns()}")
    with open(f"{out_path}.out", "w+b") as out, open(f"{out_path}.err", "w+b") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd)
        sampler = TreeSampler(child.pid) if tree else None
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        tree_rss = sampler.stop() if sampler else None
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    for suffix in (".out", ".err"):
        Path(f"{out_path}{suffix}").unlink(missing_ok=True)
    stages = {m.group(1): float(m.group(2)) for m in map(_STAGE.search, stderr.splitlines()) if m}
    rss = usage.ru_maxrss * 1024
    return Run(command, wall, rss, child.returncode, stdout, stderr, stages, tree_rss)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between the nearest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> dict[str, str]:
    """CPU model, cores, memory, OS and load — the context every figure needs."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"
