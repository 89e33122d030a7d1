"""The stack's doors, tried from outside as an attacker or a careless operator would.

Black-box against running stacks: what listens where, a forged call to the action
server, socket.io, file modes, personal data left in the tracker database after a
report (the SQLite file itself and the PostgreSQL table), the API's limits and headers,
and no conversation content in any log (a canary through a /chat timeout and through an
action that raises). Restarting a killed service is in test_supervisor.py.
"""

from __future__ import annotations

import json
import re
import stat
import time
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest

from tests.e2e.conftest import LOG_DIR, Chat, stack_on_postgres
from tools.paths import VAR
from tools.stack import StackConfig

CHILD = "Peregrina Wolstenholme"
REFERRER = "Cressida Fotheringay"
PHONE = "07700 900461"
ADDRESS = "27 Larkspur Close, Birmingham"
PERSONAL = (CHILD, REFERRER, PHONE, ADDRESS)
CANARY = "Canary Quinbury-Oddfellow says hello"

# A carer who answers every question of the referral; chosen by what is asked, so the
# script does not depend on the order of the questions.
ANSWERS: list[tuple[str, str]] = [
    (r"before it is sent", "Send it"),
    (r"your name", REFERRER),
    (r"your role", "Foster carer"),
    (r"organisation", "Acme Fostering"),
    (r"phone number or e-mail", PHONE),
    (r"child's name", CHILD),
    (r"date of birth|their age", "14"),
    (r"gender", "female"),
    (r"address or placement", ADDRESS),
    (r"looked after", "Yes"),
    (r"local authority", "Birmingham"),
    (r"social worker", "Yes"),
    (r"police reference", "not known"),
    (r"police been told", "Yes"),
    (r"When was the child last seen", "50 hours ago"),
    (r"Where were they", "outside the shopping centre"),
    (r"Who were they with", "a friend from school"),
    (r"look like|wearing", "short dark hair, grey coat"),
    (r"risks apply|apply\?", "CSE"),
    (r"school or college", "Hill Park School"),
    (r"Why hasn't the family", "telling them could put her at risk"),
    (r"family been told", "Yes"),
    (r"significant harm", "Yes"),
    (r"agreed|consent", "Yes"),
]


def next_answer(reply: list[dict]) -> str | None:
    """What the carer says to `reply`, or None once the referral has been sent."""
    text = "\n".join(m.get("text", "") for m in reply)
    if re.search(r"MR-\d{4}-\d{6}", text):
        return None
    last = reply[-1].get("text", "") if reply else ""
    answer = next((a for pattern, a in ANSWERS if re.search(pattern, last, re.I)), None)
    assert answer is not None, f"no scripted answer for: {text!r}"
    buttons = [b for m in reply for b in m.get("buttons") or []]
    pressed = next((b["payload"] for b in buttons
                    if b.get("title", "").lower() == answer.lower()), None)
    return pressed or answer


def make_referral(chat: Chat) -> None:
    """Complete a referral in conversation, through Rasa's REST channel."""
    chat.say('/choose_audience{"audience": "carer"}')
    reply = chat.say("I want to make a referral to MASH")
    for _ in range(40):
        answer = next_answer(reply)
        if answer is None:
            return
        reply = chat.say(answer)
    raise AssertionError("the referral was not sent within 40 turns")


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@pytest.fixture(scope="module")
def pg_stack(model: Path) -> Iterator[StackConfig]:
    """Tracker store and API on PostgreSQL, with a /chat timeout short enough that a
    message always times out (for the log canary)."""
    with stack_on_postgres(model, LOG_DIR / "security-postgresql",
                           extra_env={"CHAT_TIMEOUT_SECONDS": "0.001"}) as config:
        yield config


# --------------------------------------------------------------------------- listening


def test_rasa_and_the_action_server_listen_on_loopback_only(stack: StackConfig) -> None:
    ports = {stack.ports.actions, stack.ports.rasa, stack.ports.api}
    listening = [c for c in psutil.net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port in ports]
    assert {c.laddr.port for c in listening} == ports
    assert {c.laddr.ip for c in listening} == {"127.0.0.1"}, listening


def test_a_forged_call_to_the_action_server_is_refused(stack: StackConfig) -> None:
    forged = {"next_action": "action_submit_referral", "sender_id": "attacker",
              "tracker": {"sender_id": "attacker", "slots": {"child_name": CHILD,
                                                             "referral_confirmed": True}},
              "domain": {}, "version": "3.6.0"}
    url = f"{stack.actions_url}/webhook"
    assert httpx.post(url, json=forged, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert httpx.post(url, json=forged, headers=wrong, timeout=10).status_code == 401
    assert httpx.get(f"{stack.actions_url}/actions", timeout=10).status_code == 401
    right = {"Authorization": f"Bearer {stack.action_server_token}"}
    compressed = httpx.post(url, content=zlib.compress(json.dumps(forged).encode()),
                            headers={**right, "Content-Encoding": "deflate",
                                     "Content-Type": "application/json"}, timeout=10)
    assert compressed.status_code == 415
    huge = httpx.post(url, content=b"{" + b" " * 3_000_000 + b"}",
                      headers={**right, "Content-Type": "application/json"}, timeout=30)
    assert huge.status_code == 413
    # Liveness stays open (it says nothing) and CORS allows no origin.
    health = httpx.get(f"{stack.actions_url}/health",
                       headers={"Origin": "https://evil.example"}, timeout=10)
    assert health.status_code == 200
    assert "access-control-allow-origin" not in health.headers


def test_socketio_is_gone(stack: StackConfig) -> None:
    response = httpx.get(f"{stack.rasa_url}/socket.io/", params={"EIO": "4",
                         "transport": "polling"}, headers={"Origin": "https://evil.example"},
                         timeout=10)
    assert response.status_code == 404
    assert '"sid"' not in response.text


def test_var_databases_and_logs_are_private(stack: StackConfig) -> None:
    assert stat.S_IMODE(VAR.stat().st_mode) == 0o700
    for path in VAR.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for url in (stack.tracker_db_url, stack.database_url):
        database = sqlite_path(url)
        assert database.is_file()
        assert stat.S_IMODE(database.stat().st_mode) == 0o600, database
    for log in LOG_DIR.glob("*.log"):
        assert stat.S_IMODE(log.stat().st_mode) == 0o600, log


# --------------------------------------------------------------------------- tracker


def test_no_personal_answer_is_left_in_the_sqlite_tracker_file(stack: StackConfig) -> None:
    chat = Chat(stack.rasa_url, f"test-{uuid.uuid4().hex}")
    make_referral(chat)
    database = sqlite_path(stack.tracker_db_url)
    # The file and its write-ahead log (emptied by the checkpoint after the redaction).
    content = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    for value in PERSONAL:
        assert content.count(value.encode()) == 0, value
    # The conversation goes on: the assistant still knows who it is talking to.
    tracker = httpx.get(f"{stack.rasa_url}/conversations/{chat.sender}/tracker",
                        params={"token": stack.rasa_token}, timeout=10).json()
    assert tracker["slots"]["audience"] == "carer"
    assert tracker["slots"]["child_name"] is None
    later = chat.say_text("what is a return interview?")
    assert later and CHILD not in later


def test_no_personal_answer_is_left_in_the_postgresql_tracker_table(
    pg_stack: StackConfig,
) -> None:
    chat = Chat(pg_stack.rasa_url, f"test-{uuid.uuid4().hex}")
    make_referral(chat)
    with psycopg.connect(pg_stack.tracker_db_url) as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = %s",
                                  (chat.sender,)).fetchall()
    assert rows
    stored = "\n".join(row[0] for row in rows)
    for value in PERSONAL:
        assert stored.count(value) == 0, value


def test_a_report_sent_through_the_page_closes_its_conversation_id(stack: StackConfig) -> None:
    def say(conversation: str | None, message: str) -> dict:
        return httpx.post(f"{stack.api_url}/chat", timeout=60,
                          json={"conversation_id": conversation, "message": message}).json()

    first = say(None, '/choose_audience{"audience": "carer"}')
    conversation = first["conversation_id"]
    reply = say(conversation, "I want to make a referral to MASH")
    for _ in range(40):
        answer = next_answer(reply["messages"])
        if answer is None:
            break
        assert reply["conversation_id"] == conversation
        reply = say(conversation, answer)
    assert reply["new_conversation"] is True and reply["conversation_id"] != conversation
    assert not any("custom" in m for m in reply["messages"])
    # The old id now starts a new, empty conversation instead of reading the old one.
    after = say(conversation, "what did I tell you?")
    assert after["new_conversation"] is True and after["conversation_id"] != conversation
    assert CHILD not in json.dumps(after)


# --------------------------------------------------------------------------- API


def test_the_api_refuses_oversized_bodies_and_floods(stack: StackConfig) -> None:
    big = b'{"message": "' + b"x" * 400_000 + b'"}'
    response = httpx.post(f"{stack.api_url}/chat", content=big, timeout=30,
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    conversation = httpx.post(f"{stack.api_url}/chat", json={"message": "hi"},
                              timeout=60).json()["conversation_id"]
    codes = []
    with httpx.Client(timeout=60) as client:
        for _ in range(80):
            reply = client.post(f"{stack.api_url}/chat",
                                json={"conversation_id": conversation, "message": "hi"})
            codes.append(reply.status_code)
            if reply.status_code == 429:
                assert "999" in reply.json()["messages"][0]["text"]
                break
    assert 429 in codes, codes


def test_html_routes_have_security_headers_and_docs_are_off(stack: StackConfig) -> None:
    for path in ("/", "/static/index.html"):
        response = httpx.get(f"{stack.api_url}{path}", timeout=10)
        assert response.status_code == 200
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        assert response.headers["cache-control"] == "no-store", path
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert httpx.get(f"{stack.api_url}{path}", timeout=10).status_code == 404, path


# --------------------------------------------------------------------------- logs


def test_a_canary_never_reaches_a_log(pg_stack: StackConfig) -> None:
    # Through a /chat timeout: the API gives the safe reply while Rasa is still working.
    reply = httpx.post(f"{pg_stack.api_url}/chat", json={"message": CANARY}, timeout=30)
    assert reply.status_code == 200 and reply.json()["degraded"] is True
    # Through an action that raises with the text in its message (float() of it).
    token = {"Authorization": f"Bearer {pg_stack.action_server_token}"}
    call = {
        "next_action": "action_answer_guidance", "sender_id": "canary", "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "canary", "slots": {}, "events": [],
            "latest_message": {
                "text": CANARY, "intent": {"name": "guidance"},
                # A selector confidence that is not a number: float() of it raises, with
                # the text in the exception's message, as Rasa's parse data could carry.
                "response_selector": {"guidance": {
                    "response": {"intent_response_key": "guidance/return", "confidence": CANARY},
                    "ranking": [{"intent_response_key": "guidance/return",
                                 "confidence": CANARY}],
                }},
            },
        },
    }
    failed = httpx.post(f"{pg_stack.actions_url}/webhook", json=call, headers=token, timeout=30)
    assert failed.status_code == 500
    assert CANARY not in failed.text
    # Wait until Rasa has finished the timed-out message, then read every log.
    Chat(pg_stack.rasa_url, f"test-{uuid.uuid4().hex}").say("hello")
    logs = list((LOG_DIR / "security-postgresql").glob("*.log"))
    assert {p.name for p in logs} >= {"actions.log", "rasa.log", "api.log"}
    # The failure is logged (its kind, not its text); the supervisor's thread writes the
    # log a moment after the service prints it.
    actions_log = LOG_DIR / "security-postgresql" / "actions.log"
    deadline = time.monotonic() + 30
    while "ValueError: [withheld]" not in actions_log.read_text():
        assert time.monotonic() < deadline, actions_log.read_text()[-2000:]
        time.sleep(0.2)
    for log in logs:
        assert CANARY not in log.read_text(encoding="utf-8", errors="replace"), log.name
