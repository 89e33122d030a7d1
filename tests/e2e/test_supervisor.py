"""`python -m tools.stack` (what `make run` starts): clean stop, and no half-running.

Each test starts the real supervisor with the real services on free ports, so these
are the slowest tests in the suite; they are what proves Ctrl-C leaves no orphans.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tools.paths import ROOT
from tools.stack import free_port


def start_supervisor(tmp_path: Path, model: Path) -> tuple[subprocess.Popen, dict[str, int]]:
    ports = {"ACTIONS_PORT": free_port(), "RASA_PORT": free_port(), "API_PORT": free_port()}
    env = {
        **os.environ,
        **{key: str(value) for key, value in ports.items()},
        "TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'api.db'}",
    }
    log = open(tmp_path / "supervisor.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.stack"], cwd=ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp_path / "supervisor.log").read_text()[-3000:]
        try:
            health = httpx.get(f"http://127.0.0.1:{ports['API_PORT']}/health", timeout=2)
            if health.status_code == 200:
                return process, ports
        except httpx.HTTPError:
            pass
        time.sleep(1)
    process.kill()
    pytest.fail("stack did not become healthy")


def descendants(process: subprocess.Popen) -> list[psutil.Process]:
    return psutil.Process(process.pid).children(recursive=True)


def wait_gone(processes: list[psutil.Process], timeout: float = 30) -> list[psutil.Process]:
    _gone, alive = psutil.wait_procs(processes, timeout=timeout)
    return alive


def test_sigterm_stops_all_three_services_and_leaves_no_orphans(
    tmp_path: Path, model: Path
) -> None:
    process, _ports = start_supervisor(tmp_path, model)
    children = descendants(process)
    assert len(children) >= 3
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    assert wait_gone(children) == []
    log = (tmp_path / "supervisor.log").read_text()
    assert "[stack] stopped." in log
    assert "[rasa   ]" in log and "[actions]" in log and "[api    ]" in log


def test_a_service_that_dies_stops_everything_with_a_non_zero_exit(
    tmp_path: Path, model: Path
) -> None:
    process, ports = start_supervisor(tmp_path, model)
    children = descendants(process)
    action_server = next(
        child for child in children
        if any(f"{ports['ACTIONS_PORT']}" == arg for arg in child.cmdline())
    )
    action_server.kill()
    assert process.wait(timeout=60) == 1
    assert wait_gone(children) == []
    assert "actions exited" in (tmp_path / "supervisor.log").read_text()
