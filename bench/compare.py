"""Rasa's CPU per message in two checkouts, measured side by side on the same machine.

On a shared or virtual machine the CPU a message costs drifts by 10-20% from one minute
to the next, more than most single savings; two `make bench` runs minutes apart cannot
tell a 10% saving from noise. This starts both checkouts' stacks at once (one Rasa worker
each, so the CPU is one process's), then drives them in turns with the same bench
conversations (bench/mix.py), in alternating order, and adds up each Rasa's CPU time
over its own turns: whatever the machine does meanwhile falls on both.

Usage: python -m bench.compare CHECKOUT_A CHECKOUT_B [--bursts 8] [--people 10]
       (e.g. A a `git worktree` of the commit before a change, B this checkout; each
       needs its environments and the same trained model, as after `make run`)

The last line is `compare: A X.X ms, B Y.Y ms Rasa CPU per message (B/A Z.ZZ)`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from bench.latency import drive
from tools.stack import free_port


def start(checkout: Path, workdir: Path, name: str) -> tuple[subprocess.Popen[bytes], int]:
    """`make run`'s supervisor in `checkout`, one Rasa worker, databases in `workdir`."""
    rasa_port = free_port()
    env = {
        **os.environ,
        "RASA_PORT": str(rasa_port), "ACTIONS_PORT": str(free_port()),
        "API_PORT": str(free_port()), "RASA_WORKERS": "1",
        "TRACKER_DB_URL": f"sqlite:///{workdir / f'{name}-tracker.db'}",
        "DATABASE_URL": f"sqlite:///{workdir / f'{name}-api.db'}",
    }
    with (workdir / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(
            [str(checkout / ".venv-api" / "bin" / "python"), "-m", "tools.stack"],
            cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    return process, rasa_port


def ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def rasa_process(port: int) -> psutil.Process:
    for process in psutil.process_iter(["cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        if "rasa_addons.serve" in command and f"--port {port}" in command:
            return process
    raise RuntimeError(f"no Rasa on port {port}")


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--bursts", type=int, default=8)
    parser.add_argument("--people", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        workdir = Path(tmp)
        started = {name: start(checkout.resolve(), workdir, name)
                   for name, checkout in (("A", args.a), ("B", args.b))}
        try:
            deadline = time.monotonic() + 600
            while not all(ready(port) for _process, port in started.values()):
                for name, (process, _port) in started.items():
                    if process.poll() is not None:
                        raise SystemExit(f"{name} stopped: see {workdir / name}.log")
                if time.monotonic() > deadline:
                    raise SystemExit("the stacks did not start in 10 minutes")
                time.sleep(2)
            urls = {name: f"http://127.0.0.1:{port}" for name, (_p, port) in started.items()}
            rasa = {name: rasa_process(port) for name, (_p, port) in started.items()}
            for url in urls.values():  # the first messages trace TensorFlow's graphs
                asyncio.run(drive(url, 4, 1, 0))
            cpu = dict.fromkeys(urls, 0.0)
            messages = dict.fromkeys(urls, 0)
            for burst in range(args.bursts):
                order = ["A", "B"] if burst % 2 == 0 else ["B", "A"]
                for name in order:
                    before = cpu_seconds(rasa[name])
                    result = asyncio.run(drive(urls[name], args.people, 1, 0))
                    spent = cpu_seconds(rasa[name]) - before
                    cpu[name] += spent
                    messages[name] += len(result.latencies)
                    print(f"{name} burst {burst}: {len(result.latencies)} messages, "
                          f"{result.errors} errors, "
                          f"{spent * 1000 / max(len(result.latencies), 1):.1f} ms CPU per message",
                          flush=True)
        finally:
            for process, _port in started.values():
                os.killpg(process.pid, signal.SIGINT)
            for process, _port in started.values():
                process.wait(timeout=120)
    per = {name: cpu[name] * 1000 / max(messages[name], 1) for name in cpu}
    print(f"compare: A {per['A']:.1f} ms, B {per['B']:.1f} ms Rasa CPU per message "
          f"(B/A {per['B'] / per['A']:.2f})")


if __name__ == "__main__":
    main()
