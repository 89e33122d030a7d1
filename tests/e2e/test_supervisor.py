"""`python -m tools.stack` (what `make run` starts): clean stop, restarts, no half-running.

Each test starts the real supervisor with the real services on free ports, so these
are the slowest tests in the suite; they are what proves Ctrl-C leaves no orphans.
"""

from __future__ import annotations

import json
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


def start_supervisor(
    tmp_path: Path, model: Path, **settings: str
) -> tuple[subprocess.Popen, dict[str, int]]:
    """The supervisor on free ports; tried again on new ports if one was taken meanwhile."""
    for _attempt in range(3):
        started = _try_supervisor(tmp_path, settings)
        if started is not None:
            return started
    pytest.fail("stack did not become healthy in three attempts")


def _try_supervisor(
    tmp_path: Path, settings: dict[str, str]
) -> tuple[subprocess.Popen, dict[str, int]] | None:
    ports = {"ACTIONS_PORT": free_port(), "RASA_PORT": free_port(), "API_PORT": free_port()}
    env = {
        **os.environ,
        **{key: str(value) for key, value in ports.items()},
        "TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'api.db'}",
        # One Rasa process, so no Redis: these tests are about restarts, and `make run`'s
        # machine-sized workers would load the model twice per start
        # (tests/e2e/test_replicas.py covers workers and Redis).
        "RASA_WORKERS": "1",
        **settings,
    }
    log = open(tmp_path / "supervisor.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.stack"], cwd=ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp_path / "supervisor.log").read_text()[-3000:]
        if "restarting it" in (tmp_path / "supervisor.log").read_text():
            break  # a port was taken before a service could bind it: start again elsewhere
        try:
            health = httpx.get(f"http://127.0.0.1:{ports['API_PORT']}/health", timeout=2)
            if health.status_code == 200:
                return process, ports
        except httpx.HTTPError:
            pass
        time.sleep(1)
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)
    return None


def action_server_of(process: subprocess.Popen, ports: dict[str, int]) -> psutil.Process:
    return next(
        child for child in descendants(process)
        if f"{ports['ACTIONS_PORT']}" in child.cmdline() and "rasa_addons.action_server"
        in child.cmdline()
    )


def descendants(process: subprocess.Popen) -> list[psutil.Process]:
    return psutil.Process(process.pid).children(recursive=True)


def wait_gone(processes: list[psutil.Process], timeout: float = 30) -> list[psutil.Process]:
    _gone, alive = psutil.wait_procs(processes, timeout=timeout)
    return alive


def test_a_killed_service_is_restarted_and_sigterm_then_stops_everything(
    tmp_path: Path, model: Path
) -> None:
    """A killed service comes back while the chat answers safely; then SIGTERM stops all
    three services, the restarted one included, and leaves no orphans. (One stack start
    for both: each start loads the model, most of a minute on CI.)"""
    process, ports = start_supervisor(tmp_path, model)
    api = f"http://127.0.0.1:{ports['API_PORT']}"
    stopped = False
    try:
        first = action_server_of(process, ports)
        first.kill()  # SIGKILL, as the OOM killer or a crash would
        first.wait(timeout=30)
        # Meanwhile the page loads and a person in danger still gets the numbers.
        assert httpx.get(f"{api}/", timeout=10).status_code == 200
        reply = httpx.post(f"{api}/chat", json={"message": "my child is in danger"}, timeout=60)
        assert reply.status_code == 200 and "999" in json.dumps(reply.json())
        deadline = time.monotonic() + 120
        while httpx.get(f"{api}/health", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "the action server did not come back"
            time.sleep(1)
        assert action_server_of(process, ports).pid != first.pid
        assert process.poll() is None
        log = (tmp_path / "supervisor.log").read_text()
        assert "[stack] actions exited with code -9; restarting it in 1 s" in log
        assert "[stack] actions restarted." in log

        children = descendants(process)
        assert len(children) >= 3
        process.send_signal(signal.SIGTERM)
        stopped = True
        assert process.wait(timeout=60) == 0
        assert wait_gone(children) == []
        log = (tmp_path / "supervisor.log").read_text()
        assert "[stack] stopped." in log
        assert "[rasa   ]" in log and "[actions]" in log and "[api    ]" in log
    finally:
        if not stopped:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def test_a_service_that_keeps_dying_stops_everything_with_a_non_zero_exit(
    tmp_path: Path, model: Path
) -> None:
    process, ports = start_supervisor(tmp_path, model, STACK_RESTART_LIMIT="1")
    children = descendants(process)
    action_server_of(process, ports).kill()
    deadline = time.monotonic() + 120
    while "actions restarted" not in (tmp_path / "supervisor.log").read_text():
        assert time.monotonic() < deadline
        time.sleep(0.5)
    time.sleep(2)
    action_server_of(process, ports).kill()
    assert process.wait(timeout=90) == 1
    assert wait_gone(children) == []
    assert "giving up and stopping everything" in (tmp_path / "supervisor.log").read_text()
