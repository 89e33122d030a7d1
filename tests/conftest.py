"""Shared by both test runs.

A test run stopped with SIGTERM (a CI runner's cancel, `kill`, `timeout`) ends as Ctrl-C
does: pytest unwinds and runs every fixture's teardown, so the stacks, PostgreSQL, Redis
and nginx the fixtures started are stopped. Without this Python dies at once on SIGTERM
and leaves them all running with nobody to stop them.
"""

from __future__ import annotations

import signal
from types import FrameType

import pytest


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    signal.signal(signal.SIGTERM, _interrupt)
