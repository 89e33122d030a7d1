"""A referral submitted while the API is down is stored once the API is back - exactly once.

The action server's code runs in its own interpreter (.venv-rasa), so this test drives
``actions.referral_client`` through small subprocesses, with the environment the stack
gives the action server (``tools.stack.services``). The API is a real uvicorn process
started the way the stack starts it, on its own SQLite database, on a port that had
nothing listening when the referral was submitted. Nothing from rasa is imported here.

The full ``stack`` fixture is not used: it needs Rasa and a trained model, and the API
must be *down* at first, which a shared running stack cannot be.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.postgres import PERSONAL, missing_child
from tools.paths import API_PYTHON, RASA_PYTHON, ROOT
from tools.stack import Ports, Service, StackConfig, free_port, services

pytestmark = pytest.mark.slow

# The helper run by .venv-rasa. The payload comes on stdin, never on the command line,
# where any user of the machine could read it in the process list.
HELPER = """
import json, logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
from actions import referral_client
command = sys.argv[1]
if command == "submit":
    s = referral_client.submit(json.load(sys.stdin))
    result = {"outcome": s.outcome, "queue_id": s.queue_id, "reference": s.reference}
elif command == "flush":
    result = {"delivered": referral_client.client().flush(force=sys.argv[2] == "force")}
else:
    status = referral_client.client().outbox.get(sys.argv[2])
    result = {"state": status.state, "reference": status.reference} if status else None
print(json.dumps(result))
"""


def _service(config: StackConfig, name: str) -> Service:
    return next(service for service in services(config) if service.name == name)


def run_helper(env: dict[str, str], *args: str, stdin: str = "") -> Any:
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", HELPER, *args], cwd=ROOT, env=env, input=stdin,
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    # The action server's log lines (stderr) name keys and references, never people.
    for value in PERSONAL.values():
        assert value not in done.stderr
        assert value not in done.stdout
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def running_api(service: Service, log: Path) -> Iterator[None]:
    with open(log, "w") as out:
        process = subprocess.Popen(
            service.argv, cwd=ROOT, env=service.env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text()[-3000:]
                with suppress(httpx.HTTPError):
                    if httpx.get(service.ready_url, timeout=2).status_code == 200:
                        break
                assert time.monotonic() < deadline, "the API did not start"
                time.sleep(0.3)
            yield
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_referral_queued_while_the_api_is_down_is_stored_once_when_it_is_back(
    tmp_path: Path,
) -> None:
    nothing = free_port()  # Rasa and the action server are not needed by POST /referrals
    config = StackConfig(
        model=tmp_path / "no-model",
        ports=Ports(actions=nothing, rasa=nothing, api=free_port()),
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
    )
    outbox = tmp_path / "outbox" / "referral_outbox.db"
    actions_env = {
        **_service(config, "actions").env,
        "REFERRAL_OUTBOX_PATH": str(outbox),
        "REFERRAL_RETRY_SECONDS": "3600",  # only the explicit flushes below retry
    }
    assert actions_env["REFERRAL_API_URL"] == config.api_url
    api = _service(config, "api")
    # Ready when the referral routes answer (/health also wants Rasa, not running here).
    api.ready_url = f"{config.api_url}/referrals/schema"

    # 1. Submitted with nothing listening on the API's port: queued.
    payload = missing_child()
    key = payload["idempotency_key"]
    submitted = run_helper(actions_env, "submit", stdin=json.dumps(payload))
    assert submitted["outcome"] == "queued", submitted
    assert submitted["queue_id"].startswith("Q-")
    assert run_helper(actions_env, "lookup", key) == {"state": "pending", "reference": None}
    assert oct(outbox.stat().st_mode & 0o777) == oct(0o600)

    # 2. A staff user on the API's database (the CLI prints the key on its last line).
    created = subprocess.run(
        [str(API_PYTHON), "-m", "api.cli", "create-user", "--username", "t", "--role", "staff"],
        cwd=ROOT, env=api.env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    staff = {"Authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}

    def listed() -> list[dict[str, Any]]:
        response = httpx.get(f"{config.api_url}/referrals", headers=staff, timeout=10)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(body["items"])
        return body["items"]

    # 3. The API comes up on that port; a flush in another process delivers the referral.
    with running_api(api, tmp_path / "api.log"):
        assert listed() == []
        assert run_helper(actions_env, "flush", "force") == {"delivered": 1}
        items = listed()
        assert len(items) == 1
        reference = items[0]["reference"]
        assert run_helper(actions_env, "lookup", key) == {
            "state": "delivered",
            "reference": reference,
        }

        # 4. Flushing again (and submitting the same referral again) makes no second one.
        assert run_helper(actions_env, "flush", "due") == {"delivered": 0}
        again = run_helper(actions_env, "submit", stdin=json.dumps(payload))
        assert (again["outcome"], again["reference"]) == ("stored", reference)
        assert [item["reference"] for item in listed()] == [reference]

        stored = httpx.get(f"{config.api_url}/referrals/{reference}", headers=staff, timeout=10)
        assert stored.json()["referral"]["child"]["name"] == PERSONAL["child_name"]

    # 5. Delivered: the outbox kept the key and reference, not the child's details.
    data = b"".join(p.read_bytes() for p in outbox.parent.iterdir())
    assert key.encode() in data and reference.encode() in data
    for value in PERSONAL.values():
        assert value.encode() not in data
