"""Calls to the action server over kept-alive connections (rasa_addons/action_calls.py)
answer exactly as Rasa's own calls, through the real action server."""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from rasa.core.actions.action import ActionExtractSlots, RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from rasa_addons import action_calls
from tools.paths import RASA_PYTHON, ROOT, rasa_env
from tools.stack import free_port

TOKEN = secrets.token_hex(16)


class Server:
    """The project's action server, as `make run` starts it, on a port of its own."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(RASA_PYTHON), "-m", "rasa_addons.action_server", "--port", str(self.port)],
                cwd=ROOT, env={**rasa_env(), "ACTION_SERVER_TOKEN": TOKEN},
                stdout=out, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.5)
        raise AssertionError("the action server did not start: " + self.log.read_text()[-3000:])

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)

    def endpoint(self, token: str = TOKEN) -> EndpointConfig:
        return EndpointConfig(f"http://127.0.0.1:{self.port}/webhook",
                              headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("actions") / "action_server.log")
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


@pytest.fixture()
def installed() -> Iterator[None]:
    action_calls.install()
    yield
    action_calls.uninstall()


def user(text: str, intent: str) -> UserUttered:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return UserUttered(text, parse["intent"], [], parse)


def referral_asking() -> list[Event]:
    return [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        user("I need to make a referral to MASH", "make_referral"),
        ActionExecuted("referral_form"), ActiveLoop("referral_form"),
        SlotSet("requested_slot", "referrer_name"), ActionExecuted("action_listen"),
        user("My name is Dana Whitfield, I'm her social worker", "inform"),
        ActionExecuted("referral_form"),
    ]


def comparable(events: list[Event]) -> list[dict[str, Any]]:
    out = []
    for event in events:
        data = event.as_dict()
        data.pop("timestamp", None)
        if data.get("name") == "referral_key":
            data["value"] = "<random>"
        out.append(data)
    return out


async def calls(endpoint: EndpointConfig, domain: Domain) -> list[Any]:
    """A turn's calls as Rasa makes them: slot extraction (the form's validation) and
    two custom actions, each answered by the real action server."""
    tracker = DialogueStateTracker.from_events("calls", referral_asking(), slots=domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    results = []
    for action in (ActionExtractSlots(endpoint), RemoteAction("action_greet", endpoint),
                   RemoteAction("validate_referral_form", endpoint)):
        output = CollectingOutputChannel()
        events = await action.run(output, nlg, tracker, domain)
        results.append((comparable(events), output.messages))
    return results


def test_the_same_answers_as_rasas_own_calls(server: Server, domain: Domain) -> None:
    rasas = asyncio.run(calls(server.endpoint(), domain))
    action_calls.install()
    try:
        ours = asyncio.run(calls(server.endpoint(), domain))
    finally:
        action_calls.uninstall()
    assert any(events for events, _ in rasas)  # the calls did something
    assert json.dumps(ours, sort_keys=True) == json.dumps(rasas, sort_keys=True)


def test_one_connection_serves_many_calls(server: Server, domain: Domain, installed: None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    opened = []
    original = aiohttp.TCPConnector._create_connection

    async def counting(self: aiohttp.TCPConnector, *args: Any, **kwargs: Any) -> Any:
        opened.append(1)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(aiohttp.TCPConnector, "_create_connection", counting)
    endpoint = server.endpoint()

    async def many() -> None:
        for _ in range(4):
            await calls(endpoint, domain)

    asyncio.run(many())
    assert len(opened) == 1  # 12 calls one after another, one connection


def test_a_refused_call_is_the_same_error(server: Server, domain: Domain) -> None:
    def status(error: pytest.ExceptionInfo[ClientResponseError]) -> int:
        return error.value.status

    with pytest.raises(ClientResponseError) as rasas:
        asyncio.run(server.endpoint(token="wrong").request(json={"next_action": "action_greet"}))
    action_calls.install()
    try:
        with pytest.raises(ClientResponseError) as ours:
            asyncio.run(server.endpoint(token="wrong").request(
                json={"next_action": "action_greet"}))
    finally:
        action_calls.uninstall()
    assert status(ours) == status(rasas) == 401


def test_a_restarted_action_server_is_reached_again(server: Server, domain: Domain,
                                                    installed: None) -> None:
    endpoint = server.endpoint()

    async def before_and_after() -> tuple[list[Any], list[Any]]:
        first = await calls(endpoint, domain)
        server.stop()
        await asyncio.sleep(0.5)
        server.start()
        return first, await calls(endpoint, domain)

    first, second = asyncio.run(before_and_after())
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
