"""A test run stopped with SIGTERM still stops what its fixtures started (tests/conftest.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tools.paths import ROOT

INNER = '''
import subprocess, time
import pytest

@pytest.fixture(scope="session")
def service():
    child = subprocess.Popen(["sleep", "300"])
    open({pid_file!r}, "w").write(str(child.pid))
    yield child
    child.terminate()
    child.wait()

def test_waits(service):
    time.sleep(120)
'''


def _wait_for(path: Path, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.1)
    raise AssertionError(f"{path} was never written")


def test_sigterm_runs_fixture_teardown(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    test_file = tmp_path / "test_inner.py"
    test_file.write_text(INNER.format(pid_file=str(pid_file)))
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-q", str(test_file)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    child = psutil.Process(int(_wait_for(pid_file)))
    time.sleep(0.5)  # inside the test's sleep, past the fixture's setup
    run.send_signal(signal.SIGTERM)
    output, _ = run.communicate(timeout=60)
    assert run.returncode != 0, output
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE, output
