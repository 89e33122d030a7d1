"""A carer makes a complete MASH referral in conversation; MASH staff read it.

Runs through the real Rasa server, action server, API and database. Also checks that
the referral's personal details are gone from the conversation once it is sent, and
that none of them was written to any service's log.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid

import httpx
import pytest

from tests.e2e.conftest import LOG_DIR, Chat
from tools.paths import API_PYTHON, ROOT
from tools.stack import StackConfig

CHILD = "Zedekiah Quillfeather"
REFERRER = "Ottoline Brackenbury"
PHONE = "07700 900123"
ADDRESS = "12 Imaginary Close, Birmingham"


def staff_key(stack: StackConfig) -> str:
    result = subprocess.run(
        [str(API_PYTHON), "-m", "api.cli", "create-user", "--username", "mash-worker",
         "--role", "staff"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": stack.database_url},
        capture_output=True, text=True, check=True,
    )
    return result.stdout.strip().splitlines()[-1].split()[-1]


def answer_all(chat: Chat) -> str:
    replies = [
        chat.say_text("I want to make a referral to MASH"),
        chat.say_text(REFERRER),
        chat.say_text("Foster carer"),
        chat.say_text("Acme Fostering"),
        chat.say_text(PHONE),
        chat.say_text(CHILD),
        chat.say_text("14"),
        chat.say_text("female"),
        chat.say_text(ADDRESS),
        chat.say_text("/affirm"),          # looked after
        chat.say_text("Birmingham"),       # responsible local authority
        chat.say_text("/affirm"),          # social worker known
        chat.say_text("50 hours ago"),
        chat.say_text("outside the shopping centre"),
        chat.say_text("a friend from school"),
        chat.say_text("short dark hair, grey school coat"),
        chat.say_text("CSE and more than 2 episodes"),
        chat.say_text("/affirm"),          # police informed
        chat.say_text("/not_known"),       # police reference
        chat.say_text("Hill Primary"),     # school
        chat.say_text("/affirm"),          # family told
        chat.say_text("/affirm"),          # significant harm suspected
    ]
    replies.append(chat.say_text("/affirm"))  # consent to share
    return "\n".join(replies)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> tuple[Chat, StackConfig]:
    """The same conversation against SQLite, then against PostgreSQL (tracker and API)."""
    name = "stack" if request.param == "sqlite" else "postgres_stack"
    config: StackConfig = request.getfixturevalue(name)
    return Chat(config.rasa_url, f"test-{uuid.uuid4().hex}"), config


def test_complete_referral_is_stored_read_back_and_cleared(
    backend: tuple[Chat, StackConfig],
) -> None:
    chat, stack = backend
    chat.say("hello")
    chat.say('/choose_audience{"audience": "carer"}')
    transcript = answer_all(chat)
    assert "Here is the referral before it is sent" in transcript
    assert CHILD in transcript and "child sexual exploitation (CSE)" in transcript
    sent = chat.say_text("/affirm")
    reference = re.search(r"MR-\d{4}-\d{6}", sent)
    assert reference, sent
    assert "999" in sent and "0121 303 1888" in sent

    key = staff_key(stack)
    stored = httpx.get(
        f"{stack.api_url}/referrals/{reference.group(0)}",
        headers={"Authorization": f"Bearer {key}"}, timeout=10,
    )
    assert stored.status_code == 200, stored.text
    body = stored.json()
    text = str(body)
    assert CHILD in text and "Acme Fostering" in text
    assert body["referral"]["child"]["school"] == "Hill Primary"
    assert "'cse': True" in text or '"cse": true' in stored.text

    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{chat.sender}/tracker",
        params={"token": stack.rasa_token}, timeout=10,
    ).json()
    slots = tracker["slots"]
    assert slots["child_name"] is None and slots["referrer_contact"] is None

    for log in LOG_DIR.rglob("*.log"):
        content = log.read_text(encoding="utf-8", errors="replace")
        for value in (CHILD, REFERRER, PHONE, ADDRESS):
            assert value not in content, f"{value!r} in {log.name}"


def test_an_age_of_18_is_explained_and_the_form_stops(chat: Chat) -> None:
    chat.say('/choose_audience{"audience": "professional"}')
    chat.say("make a referral")
    for answer in (REFERRER, "Teacher or school", "Hill School", "head@example.org", CHILD):
        chat.say(answer)
    reply = chat.say_text("19")
    assert "under 18" in reply
    assert "police" in reply


def test_invalid_phone_is_asked_again(chat: Chat) -> None:
    chat.say('/choose_audience{"audience": "carer"}')
    chat.say("make a referral")
    for answer in (REFERRER, "Foster carer", "Acme Fostering"):
        chat.say(answer)
    reply = chat.say_text("call me maybe")
    assert "phone number" in reply
    assert "What is the child's name?" in chat.say_text(PHONE)


def test_young_person_is_pointed_to_helplines_not_a_form(chat: Chat) -> None:
    chat.say('/choose_audience{"audience": "young_person"}')
    reply = chat.say_text("I want to make a referral to MASH")
    assert "116 000" in reply and "0800 1111" in reply
    assert "What is your name?" not in reply


def test_a_referral_asked_for_beside_a_disclosure_starts_after_the_emergency_route(
    chat: Chat,
) -> None:
    first = chat.say_text(
        "I'm a youth worker and I want to refer a 14 year old girl to MASH, I think she's "
        "being groomed by older men, she keeps going missing")
    assert "999" in first.splitlines()[0], first
    assert "What is your name?" in first, first
    # Answering the emergency message rather than the question loses nothing and raises
    # no second alarm: the name is asked for again.
    again = chat.say_text("no she's not in danger at the moment as far as I know")
    assert "999" not in again and "name" in again, again
    role = chat.say_text("Sam Okafor")
    # "I'm a youth worker" was heard in the first message: offered to confirm.
    assert "What is your role?" in role and "From what you said" in role, role
