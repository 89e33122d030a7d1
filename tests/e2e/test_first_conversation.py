"""The first conversation slice, through the REST channel of the running stack."""

from __future__ import annotations

import subprocess

import httpx
import psutil
import pytest

from tests.e2e.conftest import Chat
from tools.paths import RASA_PYTHON, ROOT, rasa_env
from tools.stack import StackConfig


def test_health_reports_every_part_ok(stack: StackConfig) -> None:
    response = httpx.get(f"{stack.api_url}/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"rasa": "ok", "actions": "ok", "database": "ok"}


def test_rasa_http_api_needs_the_token(stack: StackConfig) -> None:
    tracker = f"{stack.rasa_url}/conversations/someone/tracker"
    assert httpx.get(tracker, timeout=10).status_code == 401
    assert httpx.get(tracker, params={"token": "wrong"}, timeout=10).status_code == 401
    assert httpx.get(tracker, params={"token": stack.rasa_token}, timeout=10).status_code == 200


def test_rasa_token_is_on_no_command_line(stack: StackConfig) -> None:
    # Any local user can read a command line (ps); only the owner can read the environment.
    for process in psutil.process_iter(["cmdline"]):
        assert stack.rasa_token not in " ".join(process.info["cmdline"] or [])


def test_rasa_refuses_to_start_without_a_token() -> None:
    result = subprocess.run(
        [str(RASA_PYTHON), "-m", "rasa_addons.serve", "--port", "1"],
        cwd=ROOT, env={**rasa_env(), "RASA_TOKEN": ""}, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "RASA_TOKEN is not set" in result.stderr


def test_greeting_offers_the_four_audiences(chat: Chat) -> None:
    messages = chat.say("hello")
    buttons = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert len(buttons) == 4
    assert any("carer" in b.lower() for b in buttons)
    assert any("young person" in b.lower() for b in buttons)
    assert any("licence holder" in b.lower() for b in buttons)
    assert any("professional" in b.lower() for b in buttons)
    assert "999" in messages[0]["text"]


def test_choosing_young_person_is_remembered_and_reassures(chat: Chat) -> None:
    chat.say("hi")
    reply = chat.say_text('/choose_audience{"audience": "young_person"}')
    assert "don't need to give your name" in reply
    assert "not a person" in reply


@pytest.mark.parametrize(
    "text", ["what's the weather", "who won the football last night", "asdkjh qwpeoi zxmcnv"]
)
def test_out_of_scope_and_gibberish_say_what_we_can_do_and_999(chat: Chat, text: str) -> None:
    reply = chat.say_text(text)
    assert "I can help with" in reply
    assert "999" in reply


def test_child_in_danger_gets_999_first(chat: Chat) -> None:
    messages = chat.say("my child is in danger right now")
    first = messages[0]["text"]
    assert "999" in first.splitlines()[0]


def test_after_the_emergency_route_a_carer_can_start_the_walkthrough(chat: Chat) -> None:
    chat.say('/choose_audience{"audience": "carer"}')
    [reply] = chat.say("my foster son is in danger right now")
    assert "999" in reply["text"].splitlines()[0]
    [button] = reply["buttons"]
    walkthrough = " ".join(m.get("text", "") for m in chat.say(button["payload"]))
    assert "immediate danger" in walkthrough


def test_danger_inside_an_off_topic_message_still_gets_999(chat: Chat) -> None:
    reply = chat.say("what's the weather like, there's a man following me home")
    assert "999" in reply[0]["text"].splitlines()[0]


BAD_INPUTS = {
    "empty": "",
    "spaces": "   \n\t ",
    "nul bytes": "hello\x00\x00 there\x00",
    "emoji": "😢😢😢",
    "script tag": "<script>alert(1)</script>",
    "html": "<b>help</b><img src=x onerror=alert(1)>",
    "rtl and zero width": "\u202e\u200bhello\u200d",
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_gets_a_calm_non_empty_reply(chat: Chat, name: str) -> None:
    messages = chat.say(BAD_INPUTS[name])
    text = "\n".join(m.get("text", "") for m in messages)
    assert text.strip(), f"empty answer to {name}"
    assert "999" in text
    assert "<script>" not in text


def test_huge_message_gets_an_answer(chat: Chat) -> None:
    messages = chat.say("where can I get help " * 1000)  # 21,000 characters
    assert "\n".join(m.get("text", "") for m in messages).strip()


def test_huge_message_with_danger_deep_inside_still_gets_999(chat: Chat) -> None:
    text = "I need to ask about my nephew. " * 300 + "I want to kill myself"
    assert len(text) > 9000
    messages = chat.say(text)
    assert "999" in messages[0]["text"].splitlines()[0]


def test_conversation_survives_bad_input(chat: Chat) -> None:
    chat.say("hi")
    chat.say('/choose_audience{"audience": "young_person"}')
    chat.say("\x00\x00")
    reply = chat.say_text("are you a real person?")
    # The audience chosen before the bad input is still known.
    assert "Childline" in reply
