"""A throwaway Redis server for the tests: Debian's redis-server (installed when missing
if we are root), configured as the supervisor configures it (tools.stack.redis_config:
127.0.0.1 only, a password, no persistence), on a free port. Used by both test runs."""

from __future__ import annotations

import contextlib
import secrets
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools import debian
from tools.stack import free_port, redis_answers, redis_config

START_TIMEOUT_SECONDS = 30.0


class RedisServer:
    def __init__(self, binary: Path) -> None:
        self.binary = binary
        self.password = secrets.token_hex(16)
        self.port = 0
        self.process: subprocess.Popen[str] | None = None
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()

    def url(self, db: int = 1) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/{db}"

    def start(self, attempts: int = 3) -> RedisServer:
        """Start on a free port; a port taken before Redis binds it means a new port."""
        for _ in range(attempts):
            self.port = free_port()
            self.process = subprocess.Popen(
                [str(self.binary), "-"], stdin=subprocess.PIPE, stdout=self.log,
                stderr=subprocess.STDOUT, text=True, start_new_session=True,
            )
            assert self.process.stdin is not None
            self.process.stdin.write(redis_config(self.port, self.password))
            self.process.stdin.close()
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while self.process.poll() is None and time.monotonic() < deadline:
                if redis_answers(self.port, self.password):
                    return self
                time.sleep(0.1)
            self.stop_process()
        self.log.seek(0)
        raise RuntimeError(f"redis-server did not start:\n{self.log.read()}")

    def stop_process(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stop(self) -> None:
        self.stop_process()
        self.log.close()


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    try:
        binary = debian.redis_server()
    except debian.MissingProgram as missing:
        pytest.skip(str(missing))
    server = RedisServer(binary).start()
    try:
        yield server
    finally:
        server.stop()
