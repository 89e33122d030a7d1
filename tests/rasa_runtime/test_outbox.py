"""The referral client and its outbox, against a real HTTP server started by the test.

The server (http.server in a thread) behaves like POST /referrals - 201 on first store,
200 with the same reference for the same key, 409 for the same key with another body,
401 for a wrong key - and can be switched to "down" (port closed), 503, 422, or "slow"
(stores, then answers after the client's read timeout). It counts POSTs per key and keeps
the referrals it stored, so "exactly once" is checked on the server's side.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import stat
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from actions import referral_client
from actions.outbox import Outbox
from actions.referral_client import ReferralClient, backoff_seconds
from rasa_addons.settings import get_settings
from tools.paths import RASA_PYTHON, ROOT, rasa_env
from tools.stack import free_port

SERVICE_KEY = "outbox-test-service-key"
PERSONAL = {
    "child_name": "Tamsin Outbox-Testchild",
    "referrer_name": "Wilhelmina Queuewright",
    "referrer_phone": "07700 900456",
    "address": "7 Retry Lane, Kings Heath, B14 9ZZ",
}
FIELD_ERRORS = [
    {"field": "child.date_of_birth", "msg": "date of birth is in the future", "type": "x"},
    {"field": "referrer.phone", "msg": "is not a valid UK phone number", "type": "x"},
]
QUEUE_ID = re.compile(r"^Q-[0-9A-F]{8}$")


def referral() -> dict[str, Any]:
    return {
        "idempotency_key": str(uuid.uuid4()),
        "kind": "missing_child",
        "referrer": {
            "name": PERSONAL["referrer_name"],
            "role": "foster_carer",
            "organisation": "not known",
            "phone": PERSONAL["referrer_phone"],
        },
        "child": {"name": PERSONAL["child_name"], "address_or_placement": PERSONAL["address"]},
    }


class FakeApi:
    """A stand-in for the API's POST /referrals, switchable between behaviours."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mode = "api"  # api | 503 | 422 | slow
        self.slow_seconds = 1.5
        self.posts: Counter[str] = Counter()
        self.stored: dict[str, tuple[str, str]] = {}  # key -> (body, reference)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- switching

    def up(self) -> None:
        if self._server is None:
            # http.server sets SO_REUSEADDR, so the same port can be bound again.
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
            self._server.daemon_threads = True
            threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()  # the port is closed: connections are refused
            self._server = None

    # -- behaviour

    def _answer(self, key: str, body: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if self.mode == "503":
                return 503, {"detail": "referral intake is not configured"}
            if self.mode == "422":
                return 422, {"detail": FIELD_ERRORS}
            if key in self.stored:
                stored_body, reference = self.stored[key]
                if stored_body != body:
                    return 409, {"detail": "idempotency_key already used"}
                return 200, {"reference": reference, "status": "received"}
            reference = f"MR-2026-{len(self.stored) + 1:06d}"
            self.stored[key] = (body, reference)
            return 201, {"reference": reference, "status": "received"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path != "/referrals":
                    return self._reply(404, {"detail": "Not Found"})
                if self.headers.get("Authorization") != f"Bearer {SERVICE_KEY}":
                    return self._reply(401, {"detail": "the API key is not valid"})
                payload = json.loads(raw)
                key = payload["idempotency_key"]
                body = json.dumps({k: v for k, v in payload.items() if k != "idempotency_key"},
                                  sort_keys=True)  # fmt: skip
                with api._lock:
                    api.posts[key] += 1
                status, answer = api._answer(key, body)
                if api.mode == "slow":
                    time.sleep(api.slow_seconds)  # stored, but answers after the timeout
                self._reply(status, answer)

            def _reply(self, status: int, answer: dict[str, Any]) -> None:
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the "slow" mode)

        return Handler


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi()
    fake.up()
    yield fake
    fake.down()


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    # A directory that does not exist yet: the outbox makes it.
    return tmp_path / "var" / "referral_outbox.db"


ClientFactory = Callable[..., ReferralClient]


@pytest.fixture
def make_client(api: FakeApi, outbox_path: Path) -> Iterator[ClientFactory]:
    made: list[ReferralClient] = []

    def make(**options: Any) -> ReferralClient:
        settings: dict[str, Any] = {
            "api_url": api.url,
            "api_key": SERVICE_KEY,
            "outbox": Outbox(outbox_path),
            "timeout": (0.5, 1.0),
            "backoff_base": 0.01,
            "background": False,
        }
        settings.update(options)
        client = ReferralClient(**settings)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def _raw_rows(path: Path) -> list[sqlite3.Row]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute("SELECT * FROM outbox").fetchall()
    finally:
        connection.close()


def _file_bytes(path: Path) -> bytes:
    """The database and any journal beside it."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


# --------------------------------------------------------------------------- delivery


def test_queued_while_down_then_delivered_exactly_once(
    api: FakeApi, make_client: ClientFactory
) -> None:
    client = make_client()
    payload = referral()
    key = payload["idempotency_key"]
    api.down()

    queued = client.submit(payload)
    assert queued.outcome == "queued"
    assert queued.queue_id and QUEUE_ID.match(queued.queue_id)
    assert queued.reference is None and queued.status_code is None
    status = client.outbox.get(key)
    assert status is not None and status.state == "pending" and status.attempts == 1
    assert status.queue_id == queued.queue_id

    api.up()
    assert client.flush(force=True) == 1
    status = client.outbox.get(key)
    assert status is not None and status.state == "delivered"
    assert status.reference == api.stored[key][1]
    assert api.posts[key] == 1
    assert len(api.stored) == 1

    # Nothing left to send, and asking again answers from the outbox: no second POST.
    assert client.flush(force=True) == 0
    again = client.submit(payload)
    assert (again.outcome, again.reference) == ("stored", status.reference)
    assert api.posts[key] == 1
    assert len(api.stored) == 1


def test_stored_directly_when_the_api_is_up(api: FakeApi, make_client: ClientFactory) -> None:
    client = make_client()
    payload = referral()
    submission = client.submit(payload)
    assert submission.outcome == "stored"
    assert submission.status_code == 201
    assert submission.reference == "MR-2026-000001"
    status = client.outbox.get(payload["idempotency_key"])
    assert status is not None and (status.state, status.reference) == (
        "delivered",
        "MR-2026-000001",
    )


def test_503_is_queued_then_delivered(api: FakeApi, make_client: ClientFactory) -> None:
    client = make_client()
    payload = referral()
    key = payload["idempotency_key"]
    api.mode = "503"
    submission = client.submit(payload)
    assert (submission.outcome, submission.status_code) == ("queued", 503)
    assert client.flush(force=True) == 0  # still 503: stays pending
    assert client.outbox.get(key).state == "pending"  # type: ignore[union-attr]

    api.mode = "api"
    assert client.flush(force=True) == 1
    assert len(api.stored) == 1
    assert api.posts[key] == 3  # two refused while 503, one stored


def test_a_timeout_after_the_api_stored_it_makes_no_second_referral(
    api: FakeApi, make_client: ClientFactory
) -> None:
    client = make_client()
    payload = referral()
    key = payload["idempotency_key"]
    api.mode = "slow"
    assert client.submit(payload).outcome == "queued"  # read timeout: we do not know
    assert len(api.stored) == 1  # ... but the API did store it

    api.mode = "api"
    assert client.flush(force=True) == 1  # the retry is answered 200, same reference
    assert client.outbox.get(key).reference == api.stored[key][1]  # type: ignore[union-attr]
    assert len(api.stored) == 1
    assert api.posts[key] == 2


def test_a_200_resubmission_counts_as_stored(
    api: FakeApi, make_client: ClientFactory, tmp_path: Path
) -> None:
    payload = referral()
    first = make_client().submit(payload)
    # Another outbox (another action server) sends the same referral: 200, same reference.
    other = make_client(outbox=Outbox(tmp_path / "other.db")).submit(payload)
    assert (first.status_code, other.status_code) == (201, 200)
    assert other.outcome == "stored" and other.reference == first.reference
    assert len(api.stored) == 1


def test_restart_durability(api: FakeApi, make_client: ClientFactory, outbox_path: Path) -> None:
    payload = referral()
    key = payload["idempotency_key"]
    api.down()
    before = make_client()
    assert before.submit(payload).outcome == "queued"
    before.close()
    del before

    api.up()
    after = make_client(outbox=Outbox(outbox_path))  # a new process would do just this
    assert after.flush(force=True) == 1
    assert api.posts[key] == 1
    assert len(api.stored) == 1


def test_background_thread_delivers_without_being_asked(
    api: FakeApi, make_client: ClientFactory
) -> None:
    client = make_client(background=True, retry_seconds=0.1)
    payload = referral()
    key = payload["idempotency_key"]
    api.down()
    assert client.submit(payload).outcome == "queued"  # first use starts the thread
    api.up()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = client.outbox.get(key)
        if status is not None and status.state == "delivered":
            break
        time.sleep(0.05)
    else:
        pytest.fail("the retry thread did not deliver the queued referral")
    assert api.posts[key] == 1
    assert len(api.stored) == 1


def test_backoff_skips_items_until_due_unless_forced(
    api: FakeApi, make_client: ClientFactory
) -> None:
    client = make_client(backoff_base=60)
    payload = referral()
    key = payload["idempotency_key"]
    api.down()
    assert client.submit(payload).outcome == "queued"
    api.up()
    assert client.flush() == 0  # next attempt is ~60 s away
    assert api.posts[key] == 0
    assert client.flush(force=True) == 1


def test_backoff_doubles_and_is_capped() -> None:
    delays = [backoff_seconds(n, base=2, cap=300) for n in range(1, 12)]
    assert 1.8 <= delays[0] <= 2.2
    assert 3.6 <= delays[1] <= 4.4
    assert all(delay <= 330 for delay in delays)
    assert delays[-1] >= 270


# --------------------------------------------------------------------------- refusals


def test_422_is_rejected_with_field_names_and_not_kept(
    api: FakeApi, make_client: ClientFactory
) -> None:
    client = make_client()
    payload = referral()
    api.mode = "422"
    submission = client.submit(payload)
    assert submission.outcome == "rejected"
    assert submission.status_code == 422
    assert [e.field for e in submission.errors] == ["child.date_of_birth", "referrer.phone"]
    assert "in the future" in submission.errors[0].message
    assert client.outbox.get(payload["idempotency_key"]) is None  # no personal data kept

    # The bot asks again and resubmits with the same key: stored.
    api.mode = "api"
    assert client.submit(payload).outcome == "stored"


def test_422_while_queued_fails_permanently_and_keeps_the_referral(
    api: FakeApi, make_client: ClientFactory, outbox_path: Path
) -> None:
    client = make_client()
    payload = referral()
    key = payload["idempotency_key"]
    api.down()
    assert client.submit(payload).outcome == "queued"
    api.up()
    api.mode = "422"
    assert client.flush(force=True) == 0
    status = client.outbox.get(key)
    assert status is not None and status.state == "failed_permanently"
    assert status.last_status == 422
    assert status.last_error == "HTTP 422 on fields: child.date_of_birth, referrer.phone"
    # Kept for an operator (it is the only copy), and not retried.
    assert client.outbox.get(key).payload == payload  # type: ignore[union-attr]
    assert client.flush(force=True) == 0
    assert api.posts[key] == 1


def test_wrong_service_key_is_kept_for_an_operator_then_requeued(
    api: FakeApi, make_client: ClientFactory, outbox_path: Path
) -> None:
    payload = referral()
    key = payload["idempotency_key"]
    submission = make_client(api_key="wrong").submit(payload)
    assert (submission.outcome, submission.status_code, submission.errors) == ("rejected", 401, ())
    assert submission.queue_id and QUEUE_ID.match(submission.queue_id)
    assert Outbox(outbox_path).get(key).state == "failed_permanently"  # type: ignore[union-attr]
    # The operator, with the right key now, through the entry point the docstring names.
    env = rasa_env({**os.environ, "REFERRAL_API_URL": api.url, "SERVICE_API_KEY": SERVICE_KEY,
                    "REFERRAL_OUTBOX_PATH": str(outbox_path)})

    def operator(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(RASA_PYTHON), "-m", "actions.outbox_operator", *args],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    unknown = operator("requeue", "no-such-key")
    assert unknown.returncode == 1 and "no refused referral" in unknown.stderr
    sent = operator("requeue", key)
    assert sent.returncode == 0, sent.stderr[-2000:]
    assert "1 referral(s) stored; 0 still pending" in sent.stdout
    assert len(api.stored) == 1
    assert Outbox(outbox_path).get(key).state == "delivered"  # type: ignore[union-attr]


def test_missing_service_key_is_queued_not_refused(
    api: FakeApi, make_client: ClientFactory
) -> None:
    # A deployment fault (fixed by restarting with the key), not the user's mistake.
    submission = make_client(api_key="").submit(referral())
    assert submission.outcome == "queued"
    assert sum(api.posts.values()) == 0


def test_a_payload_without_an_idempotency_key_is_refused(make_client: ClientFactory) -> None:
    payload = referral()
    del payload["idempotency_key"]
    with pytest.raises(ValueError, match="idempotency_key"):
        make_client().submit(payload)


# --------------------------------------------------------------------------- personal data


def test_payload_is_deleted_from_the_file_on_delivery(
    api: FakeApi, make_client: ClientFactory, outbox_path: Path
) -> None:
    client = make_client()
    payload = referral()
    key = payload["idempotency_key"]
    api.down()
    assert client.submit(payload).outcome == "queued"
    assert PERSONAL["child_name"].encode() in _file_bytes(outbox_path)  # stored while queued

    api.up()
    assert client.flush(force=True) == 1
    (row,) = _raw_rows(outbox_path)
    assert row["idempotency_key"] == key
    assert row["state"] == "delivered"
    assert row["payload"] is None
    assert row["reference"] and row["delivered_at"] and row["created_at"]
    # secure_delete: not even left behind in a free page of the file.
    data = _file_bytes(outbox_path)
    for value in PERSONAL.values():
        assert value.encode() not in data


def test_outbox_file_is_0600(outbox_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        Outbox(outbox_path)
        assert stat.S_IMODE(outbox_path.stat().st_mode) == 0o600
        assert stat.S_IMODE(outbox_path.parent.stat().st_mode) == 0o700
        # An existing, too-open file is tightened.
        outbox_path.chmod(0o644)
        Outbox(outbox_path)
        assert stat.S_IMODE(outbox_path.stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)


def test_logs_name_keys_and_statuses_but_no_personal_data(
    api: FakeApi, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client()
    first, second, third = referral(), referral(), referral()
    api.down()
    client.submit(first)
    api.up()
    api.mode = "503"
    client.submit(second)
    api.mode = "422"
    client.submit(third)
    api.mode = "api"
    client.flush(force=True)
    client.submit(third)

    text = caplog.text
    assert first["idempotency_key"] in text and "HTTP 503" in text and "MR-2026-" in text
    for value in PERSONAL.values():
        assert value not in text
    # Nor is the payload in the repr of what the outbox hands around.
    assert PERSONAL["child_name"] not in repr(client.outbox.get(first["idempotency_key"]))


# --------------------------------------------------------------------------- module level


def test_module_functions_read_the_environment(
    api: FakeApi, outbox_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFERRAL_API_URL", api.url)
    monkeypatch.setenv("SERVICE_API_KEY", SERVICE_KEY)
    monkeypatch.setenv("REFERRAL_OUTBOX_PATH", str(outbox_path))
    monkeypatch.setenv("REFERRAL_RETRY_SECONDS", "3600")
    monkeypatch.setattr(referral_client, "_default", None)
    get_settings.cache_clear()
    payload = referral()
    try:
        submission = referral_client.submit(payload)
        assert submission.outcome == "stored"
        status = referral_client.client().outbox.get(payload["idempotency_key"])
        assert status is not None and status.reference == submission.reference
        assert referral_client.client().flush() == 0
        assert referral_client.client().retry_seconds == 3600
        assert outbox_path.is_file()
    finally:
        referral_client.client().close()
        get_settings.cache_clear()


def test_purge_deletes_finished_items_past_their_retention_never_pending_ones(
    outbox_path: Path,
) -> None:
    outbox = Outbox(outbox_path)
    for key in ("delivered", "failed", "pending"):
        outbox.enqueue(key, {**referral(), "idempotency_key": key})
    outbox.record_delivered("delivered", "MR-2026-000001")
    outbox.record_failed_permanently("failed", None, status=422, error="field errors")
    later = time.time() + 40 * 86_400
    assert outbox.purge(delivered_days=30, failed_days=14, at=time.time()) == 0
    assert outbox.purge(delivered_days=30, failed_days=14, at=later) == 2
    assert outbox.get("delivered") is None and outbox.get("failed") is None
    assert outbox.get("pending") is not None
