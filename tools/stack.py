"""Start the action server, Rasa and the API together, keep them up, stop them together.

Used by `make run` (in the foreground, with prefixed logs), by the test suite and by
the benchmark (on free ports, logs to files). Each service runs in its own process
group so that stopping it also stops anything it started.

Staying up: a person in danger must never find the page gone because one part failed.
In the foreground, a service that dies is restarted with back-off and a log line naming
it; only a service that keeps failing (RESTART_LIMIT times within RESTART_WINDOW
seconds) makes the supervisor stop everything and exit non-zero. While Rasa or the
action server is down, the API still serves the page and gives the safe reply.

Workers: with more than one Rasa worker (RASA_WORKERS, sized to the machine by default)
the workers must share their per-conversation locks, so the supervisor also runs
Debian's redis-server (installed first if missing and we are root): on 127.0.0.1 only,
with a generated password (kept in var/redis_password) that it hands to Redis on
standard input, so it is neither on a command line nor in a config file, no persistence
(locks live for a minute) and no other listener. Rasa gets it as LOCK_STORE_URL.

Privacy: everything runs with umask 077, `var/` is 0700 and the databases and logs in
it 0600; retention (conversations, the outbox, referrals, audit) runs at start-up and
then every RETENTION_INTERVAL_SECONDS while the stack runs.

Usage: python -m tools.stack
"""

from __future__ import annotations

import contextlib
import os
import random
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
RESTART_LIMIT = 5
RESTART_WINDOW = 600.0
RESTART_BACKOFF_MAX = 30.0
RETENTION_INTERVAL_SECONDS = 3600.0
# Test ports come from below Linux's ephemeral range (32768-60999), where outgoing
# connections take their source ports and could take ours between the check and the bind.
TEST_PORT_RANGE = (20000, 32000)


def free_port() -> int:
    """A port nothing listens on now, outside the ephemeral range. Another process can
    still take it before our service binds it: starting a stack retries on new ports."""
    for _ in range(200):
        port = random.randint(*TEST_PORT_RANGE)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port found")


@dataclass
class Ports:
    actions: int = 5055
    rasa: int = 5005
    api: int = 8000
    # Only used when Redis runs (more than one Rasa worker); 0: a free port at start.
    redis: int = 0

    @classmethod
    def free(cls) -> Ports:
        return cls(actions=free_port(), rasa=free_port(), api=free_port(), redis=free_port())


def _token(length: int = 32) -> str:
    # Hex, not urlsafe: a token starting with '-' would be read by a CLI as a flag.
    return secrets.token_hex(length)


@dataclass
class StackConfig:
    model: Path
    ports: Ports = field(default_factory=Ports)
    rasa_token: str = ""
    # The action server's key for POST /referrals on the API.
    service_api_key: str = ""
    # What Rasa presents to the action server.
    action_server_token: str = ""
    # Signs the conversation ids the API issues to the page.
    conversation_secret: str = ""
    tracker_db_url: str = ""
    database_url: str = ""
    # Rasa worker processes; more than one also starts Redis for their locks.
    rasa_workers: int = 1
    # Run Redis as the lock store even with one worker (replicas sharing it).
    redis: bool = False
    redis_password: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rasa_workers < 1:
            raise ValueError("rasa_workers must be at least 1")
        self.redis = self.redis or self.rasa_workers > 1
        if self.redis and not self.ports.redis:
            self.ports.redis = free_port()
        self.redis_password = self.redis_password or _token()
        self.rasa_token = self.rasa_token or _token(24)
        self.service_api_key = self.service_api_key or _token()
        self.action_server_token = self.action_server_token or _token()
        self.conversation_secret = self.conversation_secret or _token()
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

    @property
    def lock_store_url(self) -> str:
        if not self.redis:
            return "memory://"
        return f"redis://:{self.redis_password}@127.0.0.1:{self.ports.redis}/1"


def redis_config(port: int, password: str) -> str:
    """redis-server's whole configuration, given on standard input (`redis-server -`)."""
    return "\n".join([
        "bind 127.0.0.1",  # loopback only, whatever INTERNAL_HOST says
        "protected-mode yes",
        f"port {port}",
        f"requirepass {password}",
        # Locks last a minute: nothing is worth writing to disk.
        'save ""',
        "appendonly no",
        "daemonize no",
        "supervised no",
        "loglevel warning",
        "",
    ])


def redis_answers(port: int, password: str) -> bool:
    import redis  # both environments have it (Rasa's lock store, the API's rate limits)

    client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    ready_url: str
    port: int
    process: subprocess.Popen | None = None
    failures: list[float] = field(default_factory=list)
    # A readiness check for a service that does not speak HTTP (instead of ready_url).
    ready_check: Callable[[], bool] | None = None
    # Written to the service's standard input at each start (a config with a secret).
    stdin_text: str | None = None

    def ready(self) -> bool:
        return self.ready_check() if self.ready_check else _answers(self.ready_url)


def redis_service(config: StackConfig) -> Service:
    from tools import debian

    return Service(
        "redis", [str(debian.redis_server()), "-"], {"PATH": os.environ.get("PATH", "")},
        f"redis://127.0.0.1:{config.ports.redis}", config.ports.redis,
        ready_check=lambda: redis_answers(config.ports.redis, config.redis_password),
        stdin_text=redis_config(config.ports.redis, config.redis_password),
    )


def _base_env(config: StackConfig) -> dict[str, str]:
    return {**rasa_env(), "PYTHONUNBUFFERED": "1", **config.extra_env}


def rasa_service(config: StackConfig, name: str = "rasa", port: int = 0,
                 workers: int = 0) -> Service:
    """Rasa on `port` (the stack's own by default): another one on another port with
    the same config is a replica, sharing the tracker store and the lock store."""
    port = port or config.ports.rasa
    return Service(
        name,
        # The launcher passes RASA_TOKEN to `rasa run --enable-api --auth-token`
        # inside the process, so the token never shows in `ps`.
        [str(RASA_PYTHON), "-m", "rasa_addons.serve", "--model", str(config.model),
         "--port", str(port), "--endpoints", "bot/endpoints.yml"],
        {
            **_base_env(config),
            "RASA_TOKEN": config.rasa_token,
            "ACTION_ENDPOINT_URL": f"{config.actions_url}/webhook",
            "ACTION_SERVER_TOKEN": config.action_server_token,
            "TRACKER_DB_URL": config.tracker_db_url,
            "LOCK_STORE_URL": config.lock_store_url,
            "RASA_WORKERS": str(workers or config.rasa_workers),
        },
        f"http://127.0.0.1:{port}/",
        port,
    )


def services(config: StackConfig) -> list[Service]:
    base = _base_env(config)
    return [
        *([redis_service(config)] if config.redis else []),
        Service(
            "actions",
            [str(RASA_PYTHON), "-m", "rasa_addons.action_server",
             "--port", str(config.ports.actions)],
            {**base, "REFERRAL_API_URL": config.api_url,
             "SERVICE_API_KEY": config.service_api_key,
             "ACTION_SERVER_TOKEN": config.action_server_token},
            f"{config.actions_url}/health",
            config.ports.actions,
        ),
        rasa_service(config),
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
                "CONVERSATION_SECRET": config.conversation_secret,
            },
            f"{config.api_url}/health",
            config.ports.api,
        ),
    ]


def _pump(stream: IO[str], write: Callable[[str], None], prefix: str) -> None:
    for line in stream:
        write(f"{prefix}{line}")


def private_var(directory: Path = VAR) -> None:
    """`var/` readable by its owner only, and every file already in it too."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    for path in directory.rglob("*"):
        with contextlib.suppress(OSError):
            path.chmod(0o700 if path.is_dir() else 0o600)


class StartupError(RuntimeError):
    """A service stopped, or something else answered on its port, during start-up."""


class Stack:
    """The three services, started in order and stopped as one."""

    def __init__(self, config: StackConfig, log_dir: Path | None = None) -> None:
        self.config = config
        self.services = services(config)
        self.log_dir = log_dir
        self._threads: list[threading.Thread] = []
        self._logs: dict[str, IO[str]] = {}
        self._write_lock = threading.Lock()

    def start(self) -> None:
        os.umask(0o077)
        private_var()
        for service in self.services:
            self.start_service(service)

    def start_service(self, service: Service) -> None:
        process = subprocess.Popen(
            service.argv, cwd=ROOT, env=service.env, text=True, bufsize=1,
            stdin=subprocess.DEVNULL if service.stdin_text is None else subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
        service.process = process
        if service.stdin_text is not None and process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                process.stdin.write(service.stdin_text)
                process.stdin.close()
        write, prefix = self._writer(service)
        thread = threading.Thread(target=_pump, args=(process.stdout, write, prefix), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _writer(self, service: Service) -> tuple[Callable[[str], None], str]:
        if self.log_dir:
            if service.name not in self._logs:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                # Line-buffered: a log read while the service runs (a test, a person
                # tailing it) must already hold every line the service has printed.
                self._logs[service.name] = open(  # noqa: SIM115 - closed in stop()
                    self.log_dir / f"{service.name}.log", "a", encoding="utf-8", buffering=1
                )
            return self._logs[service.name].write, ""
        width = max(len(s.name) for s in self.services)

        def write(line: str) -> None:
            with self._write_lock:
                sys.stdout.write(line)

        return write, f"[{service.name:<{width}}] "

    def dead(self) -> list[Service]:
        return [s for s in self.services if s.process and s.process.poll() is not None]

    def wait_ready(self, timeout: float = 240.0) -> None:
        """Wait until every service answers its readiness URL *from its own process*
        (a port taken by someone else is a failed start, never a ready service)."""
        deadline = time.monotonic() + timeout
        for service in self.services:
            while True:
                if self.dead():
                    names = ", ".join(s.name for s in self.dead())
                    raise StartupError(f"service stopped during start-up: {names}")
                if service.ready():
                    if not self.owns_port(service):
                        raise StartupError(f"port {service.port} is held by another process")
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service.name} not ready at {service.ready_url}")
                time.sleep(0.5)

    def owns_port(self, service: Service) -> bool:
        import psutil  # only the API's environment has it; free_port() is used by both

        if service.process is None:
            return False
        try:
            ours = {service.process.pid} | {
                child.pid for child in psutil.Process(service.process.pid).children(True)
            }
        except psutil.NoSuchProcess:
            return False
        for connection in psutil.net_connections(kind="tcp"):
            if (connection.status == psutil.CONN_LISTEN and connection.laddr
                    and connection.laddr.port == service.port):
                return connection.pid in ours
        return False

    def restart(self, service: Service) -> None:
        _signal_group(service.process, signal.SIGKILL)
        self.start_service(service)

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
        for log in self._logs.values():
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


def start_stack(
    make_config: Callable[[], StackConfig], log_dir: Path | None = None, attempts: int = 3,
    more_services: Callable[[StackConfig], list[Service]] | None = None,
    ready_timeout: float = 600.0,
) -> Stack:
    """Start a stack and wait until it is ready, on new ports if a start fails (a port
    taken between choosing and binding it, which no check beforehand can rule out).
    The wait is long on purpose: a service that dies fails the start at once, but one
    that is only slow (Rasa loading a model on a busy 2-core machine took over 4 minutes
    here) must not fail a test run by chance.
    `more_services` adds services (replicas, a balancer) started and stopped with it,
    and ready after the stack's own."""
    for attempt in range(1, attempts + 1):
        stack = Stack(make_config(), log_dir=log_dir)
        if more_services is not None:
            stack.services.extend(more_services(stack.config))
        stack.start()
        try:
            stack.wait_ready(timeout=ready_timeout)
            return stack
        except (StartupError, TimeoutError):
            stack.stop()
            if attempt == attempts:
                raise
        except BaseException:  # Ctrl-C, a test timeout: leave no service running
            stack.stop()
            raise
    raise AssertionError("unreachable")


class Supervisor:
    """The foreground loop of `make run`: restart what dies, give up on what keeps dying."""

    def __init__(self, stack: Stack, *, restart_limit: int = RESTART_LIMIT,
                 retention_interval: float = RETENTION_INTERVAL_SECONDS) -> None:
        self.stack = stack
        self.restart_limit = restart_limit
        self.retention_interval = retention_interval
        self.pending: dict[str, float] = {}  # service name -> when to restart it

    def say(self, text: str) -> None:
        print(f"[stack] {text}", flush=True)

    def check(self, now: float) -> bool:
        """Handle dead services; False when one keeps failing and the stack must stop."""
        for service in self.stack.dead():
            if service.name in self.pending:
                continue
            code = service.process.returncode if service.process else None
            service.failures = [t for t in service.failures if now - t < RESTART_WINDOW]
            service.failures.append(now)
            if len(service.failures) > self.restart_limit:
                self.say(f"{service.name} exited with code {code} "
                         f"{len(service.failures)} times in {RESTART_WINDOW:.0f} s; "
                         "giving up and stopping everything.")
                return False
            delay = min(RESTART_BACKOFF_MAX, 2.0 ** (len(service.failures) - 1))
            self.say(f"{service.name} exited with code {code}; restarting it in {delay:.0f} s "
                     f"(restart {len(service.failures)} of at most {self.restart_limit}).")
            self.pending[service.name] = now + delay
        for service in self.stack.services:
            due = self.pending.get(service.name)
            if due is not None and now >= due:
                del self.pending[service.name]
                self.stack.restart(service)
                self.say(f"{service.name} restarted.")
        return True


def run_foreground(config: StackConfig, restart_limit: int = RESTART_LIMIT) -> int:
    """Run until Ctrl-C / SIGTERM (exit 0) or until a service keeps failing (exit 1)."""
    stack = Stack(config)
    supervisor = Supervisor(stack, restart_limit=restart_limit)
    stopping = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    stack.start()
    supervisor.say(f"starting: actions :{config.ports.actions}, rasa :{config.ports.rasa}, "
                   f"api and web chat :{config.ports.api}")
    ready_announced = False
    status = 0
    next_retention = time.monotonic() + RETENTION_INTERVAL_SECONDS
    while not stopping.is_set():
        now = time.monotonic()
        if not supervisor.check(now):
            status = 1
            break
        if not ready_announced and _answers(f"{config.api_url}/health"):
            supervisor.say(f"ready: open http://localhost:{config.ports.api}/ (Ctrl-C to stop)")
            ready_announced = True
        if now >= next_retention:
            next_retention = now + RETENTION_INTERVAL_SECONDS
            threading.Thread(target=apply_retention, args=(config,), daemon=True).start()
        stopping.wait(1.0)
    supervisor.say("stopping all services...")
    stack.stop()
    supervisor.say("stopped.")
    return status


def kept_secret(name: str) -> str:
    """A secret made once and kept in var/ (0600), so a restart of `make run` does not
    end every open conversation."""
    private_var()
    path = VAR / name
    if not path.is_file():
        path.write_text(_token())
        path.chmod(0o600)
    return path.read_text().strip()


def apply_retention(config: StackConfig) -> None:
    """Delete what is past its retention period, on both sides (see the README)."""
    env = {**rasa_env(), "TRACKER_DB_URL": config.tracker_db_url,
           "DATABASE_URL": config.database_url}
    for python, module in ((RASA_PYTHON, ["rasa_addons.retention"]),
                           (API_PYTHON, ["api.cli", "purge"])):
        result = subprocess.run([str(python), "-m", *module], cwd=ROOT, env=env, check=False)
        if result.returncode != 0:
            print(f"[stack] retention: {module[0]} exited {result.returncode}", flush=True)


def main() -> int:
    from rasa_addons.settings import Settings, machine_rasa_workers
    from tools.model import ensure_model

    env = os.environ
    os.umask(0o077)
    # Unset, the machine's size decides: `make run` starts Redis whenever it is sized
    # for more than one worker (Settings alone defaults to 1 without a shared lock store).
    rasa_workers = (Settings.from_env(env).rasa_workers if env.get("RASA_WORKERS", "").strip()
                    else machine_rasa_workers())
    config = StackConfig(
        model=ensure_model(),
        ports=Ports(
            actions=int(env.get("ACTIONS_PORT", 5055)),
            rasa=int(env.get("RASA_PORT", 5005)),
            api=int(env.get("API_PORT", 8000)),
            redis=int(env.get("REDIS_PORT", 0)),
        ),
        rasa_token=env.get("RASA_TOKEN", ""),
        service_api_key=env.get("SERVICE_API_KEY", ""),
        action_server_token=env.get("ACTION_SERVER_TOKEN", ""),
        conversation_secret=(env.get("CONVERSATION_SECRET", "")
                             or kept_secret("conversation_secret")),
        tracker_db_url=env.get("TRACKER_DB_URL", ""),
        database_url=env.get("DATABASE_URL", ""),
        rasa_workers=rasa_workers,
        redis_password=kept_secret("redis_password") if rasa_workers > 1 else "",
    )
    if config.redis:
        from tools import debian

        try:
            debian.redis_server()  # installed now (as root) rather than mid-start
        except debian.MissingProgram as missing:
            print(f"[stack] {missing}; or run one Rasa worker: RASA_WORKERS=1 make run",
                  file=sys.stderr, flush=True)
            return 1
        print(f"[stack] {rasa_workers} Rasa workers, their locks in Redis on "
              f"127.0.0.1:{config.ports.redis}", flush=True)
    private_var()
    apply_retention(config)
    return run_foreground(config, restart_limit=int(env.get("STACK_RESTART_LIMIT",
                                                           RESTART_LIMIT)))


if __name__ == "__main__":
    sys.exit(main())
