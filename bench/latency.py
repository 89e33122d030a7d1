"""Throughput, latency, CPU and memory of the assistant in real use, beside the stock bot.

Starts our stack (action server, Rasa with the machine's default number of workers,
API) on free ports and drives N simulated people at once through Rasa's REST channel,
each holding conversations from the mix in bench/mix.py (guidance questions, the search
walkthrough, a MASH referral), answering in sentences. Prints messages per second,
p50/p95/p99 latency, errors, messages lost or reordered (checked against each
conversation's tracker), and per service the CPU milliseconds per message and resident
memory. Then trains and serves the stock `rasa init` assistant with its default
configuration, drives it with the same number of people, and prints the same.

Each side is measured over the same window (one minute by default) in which every
person keeps talking: when a conversation ends the person starts the next, and nobody
sends after the window closes, so N conversations are under way for the whole window
and throughput is the messages answered in it. (With a fixed number of conversations
per person the short ones end first and the run closes with a few long conversations
talking to an idle machine; ours mixes short and long conversations and the stock bot's
script is one length, so that under-counted ours.) `--rounds R` measures R
conversations per person instead.

The last line is exactly `bench: throughput ratio X.XX, p95 ratio Y.YY` (ours over the
stock bot's).

Usage: python -m bench.latency [--conversations 20] [--minutes 1] [--rounds R]
                               [--workers N] [--no-reference]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from bench.mix import MIX, REFERENCE_SCRIPT, Kind, schedule
from tools.model import ensure_model
from tools.paths import RASA_BIN, ROOT, rasa_env
from tools.stack import Ports, Stack, StackConfig, free_port


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0  # an HTTP error, a timeout, or no reply at all
    seconds: float = 0.0
    lost: int = 0  # messages missing from the conversation's tracker
    reordered: int = 0  # conversations whose tracker holds the messages out of order
    senders: dict[str, list[str]] = field(default_factory=dict)  # what each sent, in order

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else float("nan")


async def send(client: httpx.AsyncClient, url: str, sender: str, text: str,
               result: Result) -> str:
    started = time.perf_counter()
    reply = ""
    try:
        response = await client.post(url, json={"sender": sender, "message": text})
        messages = response.json() if response.status_code == 200 else []
        reply = "\n".join(m.get("text") or "" for m in messages)
        ok = bool(messages)
    except (httpx.HTTPError, ValueError):
        ok = False
    result.latencies.append(time.perf_counter() - started)
    result.errors += 0 if ok else 1
    result.senders.setdefault(sender, []).append(text)
    return reply


def closed(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


async def person(client: httpx.AsyncClient, url: str, kind: Kind, result: Result,
                 deadline: float | None = None) -> None:
    """One simulated person: the opening messages, then answers until the end (or until
    the window closes)."""
    sender = f"bench-{kind.name}-{uuid.uuid4().hex}"
    reply = ""
    for text in kind.opening:
        if closed(deadline):
            return
        reply = await send(client, url, sender, text, result)
    for _ in range(kind.max_turns):
        if re.search(kind.done, reply, re.I) or closed(deadline):
            return
        answer = kind.answer(reply)
        reply = await send(client, url, sender, answer or "not sure", result)


async def scripted(client: httpx.AsyncClient, url: str, script: tuple[str, ...],
                   result: Result, deadline: float | None = None) -> None:
    sender = f"bench-ref-{uuid.uuid4().hex}"
    for text in script:
        if closed(deadline):
            return
        await send(client, url, sender, text, result)


async def drive(rasa_url: str, conversations: int, rounds: int, minutes: float,
                reference: bool = False) -> Result:
    """`conversations` people at once, each holding `rounds` conversations, or (rounds
    0) talking until `minutes` have passed."""
    result = Result()
    url = f"{rasa_url}/webhooks/rest/webhook"

    async def one_slot(kind: Kind) -> None:
        done = 0
        while (done < rounds) if deadline is None else not closed(deadline):
            if reference:
                await scripted(client, url, REFERENCE_SCRIPT, result, deadline)
            else:
                await person(client, url, kind, result, deadline)
            done += 1

    async with httpx.AsyncClient(timeout=120) as client:
        await client.post(url, json={"sender": "warm-up", "message": "hello"})
        started = time.perf_counter()
        deadline = None if rounds else time.monotonic() + minutes * 60
        await asyncio.gather(*(one_slot(kind) for kind in schedule(conversations)))
        result.seconds = time.perf_counter() - started
    return result


def check_trackers(rasa_url: str, token: str, result: Result) -> None:
    """Every message each conversation sent is in its tracker, once and in order. (After a
    referral the texts are redacted, so those conversations are checked by count.)"""
    with httpx.Client(timeout=60) as client:
        for sender, sent in result.senders.items():
            response = client.get(f"{rasa_url}/conversations/{sender}/tracker",
                                  params={"token": token})
            events = response.json().get("events", []) if response.status_code == 200 else []
            texts = [e.get("text") or "" for e in events if e.get("event") == "user"]
            result.lost += max(0, len(sent) - len(texts))
            if "referral" not in sender and texts != sent[: len(texts)]:
                result.reordered += 1


def tree(process: subprocess.Popen | None) -> list[psutil.Process]:
    if process is None:
        return []
    root = psutil.Process(process.pid)
    return [root, *root.children(recursive=True)]


def rss_mb(process: subprocess.Popen | None) -> float:
    """Resident memory of a service, including any processes it started."""
    return sum(p.memory_info().rss for p in tree(process)) / 2**20


def cpu_seconds(process: subprocess.Popen | None) -> float:
    total = 0.0
    for p in tree(process):
        with contextlib.suppress(psutil.Error):
            times = p.cpu_times()
            total += times.user + times.system
    return total


def report(name: str, result: Result, cpu: dict[str, float], rss: dict[str, float]) -> None:
    count = len(result.latencies)
    print(f"{name}: {count} messages, {result.errors} errors, {result.lost} lost, "
          f"{result.reordered} reordered, {result.throughput:.1f} msg/s")
    print(f"  latency p50 {result.percentile(50) * 1000:.0f} ms, "
          f"p95 {result.percentile(95) * 1000:.0f} ms, "
          f"p99 {result.percentile(99) * 1000:.0f} ms, "
          f"mean {statistics.fmean(result.latencies) * 1000:.0f} ms")
    for service in cpu:
        print(f"  {service}: {cpu[service] * 1000 / max(count, 1):.1f} ms CPU per message, "
              f"RSS {rss[service]:.0f} MB")
    print(f"  all services: RSS {sum(rss.values()):.0f} MB")


def machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def measured(processes: dict[str, subprocess.Popen | None], run: Callable[[], Result],
             ) -> tuple[Result, dict[str, float], dict[str, float]]:
    before = {name: cpu_seconds(p) for name, p in processes.items()}
    load_before = os.getloadavg()[0]
    busy_before, me_before, wall_before = machine_busy_seconds(), time.process_time(), \
        time.monotonic()
    result = run()
    cpu = {name: cpu_seconds(p) - before[name] for name, p in processes.items()}
    rss = {name: rss_mb(p) for name, p in processes.items()}
    # The machine is shared: CPU that neither the services nor this driver used is
    # someone else's (contention), and makes latency and throughput worse than they are.
    others = (machine_busy_seconds() - busy_before - sum(cpu.values())
              - (time.process_time() - me_before))
    wall = time.monotonic() - wall_before
    print(f"  load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
          f"other processes used {max(others, 0.0):.0f} CPU-s of "
          f"{wall * psutil.cpu_count():.0f} in the run", flush=True)
    return result, cpu, rss


def bench_ports() -> Ports:
    """Free ports, or the ones ACTIONS_PORT / RASA_PORT / API_PORT name (a developer
    sharing the machine with others benches on the ports given to them)."""
    ports = Ports.free()
    for name, attribute in (("ACTIONS_PORT", "actions"), ("RASA_PORT", "rasa"),
                            ("API_PORT", "api"), ("REDIS_PORT", "redis")):
        if os.environ.get(name, "").strip():
            setattr(ports, attribute, int(os.environ[name]))
    return ports


def bench_ours(args: argparse.Namespace, workdir: Path) -> Result:
    from rasa_addons.settings import machine_rasa_workers

    workers = args.workers or machine_rasa_workers()
    config = StackConfig(
        model=ensure_model(), ports=bench_ports(), rasa_workers=workers,
        tracker_db_url=f"sqlite:///{workdir / 'tracker.db'}",
        database_url=f"sqlite:///{workdir / 'api.db'}",
    )
    print(f"ours: {workers} Rasa worker(s), mix {', '.join(k.name for k in MIX)}", flush=True)
    stack = Stack(config, log_dir=workdir / "logs")
    stack.start()
    try:
        stack.wait_ready(timeout=600)  # two workers load the model slowly on a busy machine
        processes = {s.name: s.process for s in stack.services}
        result, cpu, rss = measured(processes, lambda: asyncio.run(
            drive(config.rasa_url, args.conversations, args.rounds, args.minutes)))
        check_trackers(config.rasa_url, config.rasa_token, result)
        report("ours", result, cpu, rss)
        return result
    finally:
        stack.stop()


def bench_reference(args: argparse.Namespace, workdir: Path) -> Result:
    project = workdir / "rasa-init"
    print("training the stock `rasa init` assistant as the reference...", flush=True)
    project.mkdir(parents=True, exist_ok=True)  # `rasa init` refuses a missing directory
    subprocess.run(
        [str(RASA_BIN), "init", "--no-prompt", "--init-dir", str(project)],
        cwd=workdir, env=rasa_env(), check=True, capture_output=True,
    )
    port = free_port()
    token = uuid.uuid4().hex
    log = open(workdir / "reference.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(RASA_BIN), "run", "--port", str(port), "--enable-api", "--auth-token", token],
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
        result, cpu, rss = measured({"rasa": process}, lambda: asyncio.run(
            drive(url, args.conversations, args.rounds, args.minutes, reference=True)))
        check_trackers(url, token, result)
        report("reference (rasa init, default configuration)", result, cpu, rss)
        return result
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=1.0,
                        help="how long every person keeps talking (a soak: 10 or more)")
    parser.add_argument("--rounds", type=int, default=0,
                        help="instead of --minutes: conversations each person holds")
    parser.add_argument("--workers", type=int, default=0,
                        help="Rasa workers for ours (default: sized to the machine)")
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-", dir=ROOT / "var") as tmp:
        workdir = Path(tmp)
        ours = bench_ours(args, workdir)
        if args.no_reference:
            return
        reference = bench_reference(args, workdir)
        throughput = ours.throughput / reference.throughput
        p95 = ours.percentile(95) / reference.percentile(95)
        # The last line, read by scripts: ours over the stock bot's.
        print(f"bench: throughput ratio {throughput:.2f}, p95 ratio {p95:.2f}")


if __name__ == "__main__":
    main()
