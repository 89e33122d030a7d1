"""Start the action server, Rasa and the API together, and stop them together.

Used by `make run` (in the foreground, with prefixed logs), by the test suite and by
the benchmark (on free ports, logs to files). Each service runs in its own process
group so that stopping it also stops anything it started; if one service dies, the
others are stopped and the supervisor exits non-zero rather than half-running.

Usage: python -m tools.stack
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tools.paths import API_PYTHON, RASA_PYTHON, ROOT, VAR, rasa_env

STOP_GRACE_SECONDS = 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Ports:
    actions: int = 5055
    rasa: int = 5005
    api: int = 8000

    @classmethod
    def free(cls) -> Ports:
        return cls(actions=free_port(), rasa=free_port(), api=free_port())


@dataclass
class StackConfig:
    model: Path
    ports: Ports = field(default_factory=Ports)
    rasa_token: str = ""
    # The action server's key for POST /referrals on the API.
    service_api_key: str = ""
    tracker_db_url: str = ""
    database_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Hex, not urlsafe: a token starting with '-' would be read by Rasa's CLI as a flag.
        self.rasa_token = self.rasa_token or secrets.token_hex(24)
        self.service_api_key = self.service_api_key or secrets.token_hex(32)
        self.tracker_db_url = self.tracker_db_url or f"sqlite:///{VAR / 'tracker.db'}"
        self.database_url = self.database_url or f"sqlite:///{VAR / 'api.db'}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.actions}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.api}"


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    ready_url: str
    process: subprocess.Popen | None = None


def services(config: StackConfig) -> list[Service]:
    base = {**rasa_env(), "PYTHONUNBUFFERED": "1", **config.extra_env}
    return [
        Service(
            "actions",
            [str(RASA_PYTHON), "-m", "rasa_sdk", "--actions", "actions",
             "--port", str(config.ports.actions)],
            {**base, "REFERRAL_API_URL": config.api_url,
             "SERVICE_API_KEY": config.service_api_key},
            f"{config.actions_url}/health",
        ),
        Service(
            "rasa",
            # The launcher passes RASA_TOKEN to `rasa run --enable-api --auth-token`
            # inside the process, so the token never shows in `ps`.
            [str(RASA_PYTHON), "-m", "rasa_addons.serve", "--model", str(config.model),
             "--port", str(config.ports.rasa),
             "--credentials", "bot/credentials.yml", "--endpoints", "bot/endpoints.yml"],
            {
                **base,
                "RASA_TOKEN": config.rasa_token,
                "ACTION_ENDPOINT_URL": f"{config.actions_url}/webhook",
                "TRACKER_DB_URL": config.tracker_db_url,
            },
            f"{config.rasa_url}/",
        ),
        Service(
            "api",
            [str(API_PYTHON), "-m", "uvicorn", "api.main:app",
             "--host", "127.0.0.1", "--port", str(config.ports.api),
             # Access logs would record client IP addresses; we keep none.
             "--no-access-log"],
            {
                **base,
                "RASA_URL": config.rasa_url,
                "RASA_TOKEN": config.rasa_token,
                "ACTIONS_URL": config.actions_url,
                "DATABASE_URL": config.database_url,
                "SERVICE_API_KEY": config.service_api_key,
            },
            f"{config.api_url}/health",
        ),
    ]


def _pump(stream: IO[str], write: Callable[[str], None], prefix: str) -> None:
    for line in stream:
        write(f"{prefix}{line}")


class Stack:
    """The three services, started in order and stopped as one."""

    def __init__(self, config: StackConfig, log_dir: Path | None = None) -> None:
        self.config = config
        self.services = services(config)
        self.log_dir = log_dir
        self._threads: list[threading.Thread] = []
        self._files: list[IO[str]] = []

    def start(self) -> None:
        VAR.mkdir(exist_ok=True)
        width = max(len(service.name) for service in self.services)
        for service in self.services:
            process = subprocess.Popen(
                service.argv, cwd=ROOT, env=service.env, text=True, bufsize=1,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            service.process = process
            if self.log_dir:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                log = open(self.log_dir / f"{service.name}.log", "a", encoding="utf-8")  # noqa: SIM115
                self._files.append(log)
                write, prefix = log.write, ""
            else:
                write, prefix = sys.stdout.write, f"[{service.name:<{width}}] "
            thread = threading.Thread(
                target=_pump, args=(process.stdout, write, prefix), daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def dead(self) -> list[Service]:
        return [s for s in self.services if s.process and s.process.poll() is not None]

    def wait_ready(self, timeout: float = 240.0) -> None:
        """Wait until every service answers its readiness URL (the API's /health is 200)."""
        deadline = time.monotonic() + timeout
        for service in self.services:
            while True:
                if self.dead():
                    names = ", ".join(s.name for s in self.dead())
                    raise RuntimeError(f"service stopped during start-up: {names}")
                if _answers(service.ready_url):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service.name} not ready at {service.ready_url}")
                time.sleep(0.5)

    def stop(self) -> None:
        for service in reversed(self.services):
            _signal_group(service.process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for service in self.services:
            process = service.process
            if process is None:
                continue
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            # The leader may be gone while children it started linger in its group.
            _signal_group(process, signal.SIGKILL)
        for thread in self._threads:
            thread.join(timeout=2)
        for log in self._files:
            log.close()


def _signal_group(process: subprocess.Popen | None, sig: signal.Signals) -> None:
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def run_foreground(config: StackConfig) -> int:
    """Run until Ctrl-C / SIGTERM (exit 0) or until a service dies (exit 1)."""
    stack = Stack(config)
    stopping = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    stack.start()
    print(f"[stack] starting: actions :{config.ports.actions}, rasa :{config.ports.rasa}, "
          f"api and web chat :{config.ports.api}", flush=True)
    ready_announced = False
    status = 0
    while not stopping.is_set():
        dead = stack.dead()
        if dead:
            for service in dead:
                print(f"[stack] {service.name} exited with code {service.process.returncode}; "
                      "stopping everything.", flush=True)
            status = 1
            break
        if not ready_announced and _answers(f"{config.api_url}/health"):
            print(f"[stack] ready: open http://localhost:{config.ports.api}/ "
                  "(Ctrl-C to stop)", flush=True)
            ready_announced = True
        stopping.wait(1.0)
    print("[stack] stopping all services...", flush=True)
    stack.stop()
    print("[stack] stopped.", flush=True)
    return status


def main() -> int:
    from tools.model import ensure_model

    env = os.environ
    config = StackConfig(
        model=ensure_model(),
        ports=Ports(
            actions=int(env.get("ACTIONS_PORT", 5055)),
            rasa=int(env.get("RASA_PORT", 5005)),
            api=int(env.get("API_PORT", 8000)),
        ),
        rasa_token=env.get("RASA_TOKEN", ""),
        service_api_key=env.get("SERVICE_API_KEY", ""),
        tracker_db_url=env.get("TRACKER_DB_URL", ""),
        database_url=env.get("DATABASE_URL", ""),
    )
    purge_old_conversations(config.tracker_db_url)
    return run_foreground(config)


def purge_old_conversations(tracker_db_url: str) -> None:
    """Apply the conversation retention period before anything else starts."""
    subprocess.run(
        [str(RASA_PYTHON), "-m", "rasa_addons.retention", "--url", tracker_db_url],
        cwd=ROOT, env=rasa_env(), check=True,
    )


if __name__ == "__main__":
    sys.exit(main())
