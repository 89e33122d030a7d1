"""The action server launcher refuses to run open, and a failed bind is a failure."""

from __future__ import annotations

import os
import socket
import subprocess

from tools.paths import RASA_PYTHON, ROOT, rasa_env


def launch(port: int, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RASA_PYTHON), "-m", "rasa_addons.action_server", "--port", str(port)],
        cwd=ROOT, env={**rasa_env(), **env}, capture_output=True, text=True, timeout=120,
    )


def test_it_will_not_start_without_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ACTION_SERVER_TOKEN"}
    result = subprocess.run(
        [str(RASA_PYTHON), "-m", "rasa_addons.action_server", "--port", "1"],
        cwd=ROOT, env={**rasa_env(env), "ACTION_SERVER_TOKEN": ""},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "ACTION_SERVER_TOKEN is not set" in result.stderr


def test_a_port_it_cannot_bind_is_a_non_zero_exit() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        result = launch(held.getsockname()[1], ACTION_SERVER_TOKEN="t" * 32)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
