"""Latency and memory of the assistant under concurrent conversations, with a reference.

Starts our stack (action server, Rasa, API) on free ports, drives N concurrent
conversations through Rasa's REST channel, prints p50/p95/p99 latency, messages per
second, errors and the resident memory of each service. Then trains and serves the stock
`rasa init` assistant on other ports, drives it the same way, and prints our p95
divided by its p95: how much our pipeline (spaCy, safety checks, custom actions, SQL
tracker store) costs over a bare Rasa bot on the same machine.

Usage: python -m bench.latency [--conversations 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from tools.model import ensure_model
from tools.paths import RASA_BIN, ROOT, rasa_env
from tools.stack import Ports, Stack, StackConfig, free_port

# One simulated conversation: what a carer might send, including a crisis turn.
SCRIPT = [
    "hello",
    '/choose_audience{"audience": "carer"}',
    "what's the weather like",
    "when does the return interview have to happen",
    "my child is in danger right now",
    "are you a real person?",
    "thanks",
]


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]


async def conversation(client: httpx.AsyncClient, url: str, result: Result, rounds: int) -> None:
    sender = f"bench-{uuid.uuid4().hex}"
    for _ in range(rounds):
        for text in SCRIPT:
            started = time.perf_counter()
            try:
                response = await client.post(url, json={"sender": sender, "message": text})
                ok = response.status_code == 200 and bool(response.json())
            except (httpx.HTTPError, ValueError):
                ok = False
            result.latencies.append(time.perf_counter() - started)
            result.errors += 0 if ok else 1


async def drive(rasa_url: str, conversations: int, rounds: int) -> Result:
    result = Result()
    url = f"{rasa_url}/webhooks/rest/webhook"
    async with httpx.AsyncClient(timeout=120) as client:
        await client.post(url, json={"sender": "warm-up", "message": "hello"})
        started = time.perf_counter()
        await asyncio.gather(
            *(conversation(client, url, result, rounds) for _ in range(conversations))
        )
        result.seconds = time.perf_counter() - started
    return result


def rss_mb(process: subprocess.Popen | None) -> float:
    """Resident memory of a service, including any processes it started."""
    if process is None:
        return float("nan")
    root = psutil.Process(process.pid)
    total = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
    return total / 2**20


def report(name: str, result: Result) -> None:
    count = len(result.latencies)
    print(f"{name}: {count} messages, {result.errors} errors, "
          f"{count / result.seconds:.1f} msg/s")
    print(f"  latency p50 {result.percentile(50) * 1000:.0f} ms, "
          f"p95 {result.percentile(95) * 1000:.0f} ms, "
          f"p99 {result.percentile(99) * 1000:.0f} ms, "
          f"mean {statistics.fmean(result.latencies) * 1000:.0f} ms")


def bench_ours(conversations: int, rounds: int, workdir: Path) -> Result:
    config = StackConfig(
        model=ensure_model(), ports=Ports.free(),
        tracker_db_url=f"sqlite:///{workdir / 'tracker.db'}",
        database_url=f"sqlite:///{workdir / 'api.db'}",
    )
    stack = Stack(config, log_dir=workdir / "logs")
    stack.start()
    try:
        stack.wait_ready()
        result = asyncio.run(drive(config.rasa_url, conversations, rounds))
        report("ours", result)
        for service in stack.services:
            print(f"  RSS {service.name}: {rss_mb(service.process):.0f} MB")
        return result
    finally:
        stack.stop()


def bench_reference(conversations: int, rounds: int, workdir: Path) -> Result:
    project = workdir / "rasa-init"
    print("training the stock `rasa init` assistant as the reference...", flush=True)
    project.mkdir(parents=True, exist_ok=True)  # `rasa init` refuses a missing directory
    subprocess.run(
        [str(RASA_BIN), "init", "--no-prompt", "--init-dir", str(project)],
        cwd=workdir, env=rasa_env(), check=True, capture_output=True,
    )
    port = free_port()
    log = open(workdir / "reference.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(RASA_BIN), "run", "--port", str(port), "--enable-api",
         "--auth-token", uuid.uuid4().hex],
        cwd=project, env=rasa_env(), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        result = asyncio.run(drive(url, conversations, rounds))
        report("reference (rasa init)", result)
        print(f"  RSS rasa: {rss_mb(process):.0f} MB")
        return result
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="times each script is repeated")
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-", dir=ROOT / "var") as tmp:
        workdir = Path(tmp)
        ours = bench_ours(args.conversations, args.rounds, workdir)
        if not args.no_reference:
            reference = bench_reference(args.conversations, args.rounds, workdir)
            ratio = ours.percentile(95) / reference.percentile(95)
            print(f"p95 ours / p95 reference: {ratio:.2f}")


if __name__ == "__main__":
    main()
