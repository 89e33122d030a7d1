"""The per-message savings in the Rasa process (issue 13) change nothing Rasa answers.

Each is checked through the real component: Rasa's `ActionExtractSlots` with the real
domain against the project's real actions served over HTTP, Rasa's event
deserialisation, and DIET, the ResponseSelector and TED of the trained model. Each test
runs the same inputs with Rasa's own code and with the addon and compares the results.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from rasa.core.actions.action import ActionExtractSlots
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
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk.executor import ActionExecutor

from actions.form_validation import OwnTurnFormValidation
from rasa_addons import event_types, slot_extraction, tf_predict
from tools.paths import ROOT

# -- action_extract_slots: no call for a form's validation outside that form's turn


class ActionServer:
    """The project's actions behind a minimal HTTP endpoint, recording what is called."""

    def __init__(self) -> None:
        self.executor = ActionExecutor()
        self.executor.register_package("actions")
        self.called: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                server.called.append(body["next_action"])
                result = asyncio.run(server.executor.run(body)) or {"events": [], "responses": []}
                payload = json.dumps(result).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/webhook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


@pytest.fixture(scope="module")
def action_server() -> Iterator[ActionServer]:
    server = ActionServer()
    yield server
    server.httpd.shutdown()


def user(text: str, intent: str) -> UserUttered:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return UserUttered(text, parse["intent"], [], parse)


def started() -> list[Event]:
    return [ActionExecuted("action_session_start"), SessionStarted(),
            ActionExecuted("action_listen")]


# (name, events, form whose validation the addon must still call, or None)
TRACKERS: list[tuple[str, list[Event], str | None]] = [
    ("no form", [*started(), user("hello", "greet")], None),
    ("guidance question", [
        *started(), user("hello", "greet"), ActionExecuted("action_greet"),
        ActionExecuted("action_listen"),
        user("when does the return interview have to happen", "guidance"),
    ], None),
    ("walkthrough form asking", [
        *started(), user("my foster daughter hasn't come back", "report_missing"),
        ActionExecuted("search_walkthrough_form"), ActiveLoop("search_walkthrough_form"),
        SlotSet("requested_slot", "immediate_danger"), ActionExecuted("action_listen"),
        user("no, I don't think she's in danger", "deny"),
    ], None),
    ("referral form asking", [
        *started(), user("I need to make a referral to MASH", "make_referral"),
        ActionExecuted("referral_form"), ActiveLoop("referral_form"),
        SlotSet("requested_slot", "referrer_name"), ActionExecuted("action_listen"),
        user("My name is Bench Tester.", "not_known"),
    ], None),
    # The one case where the validation answers: its form is the latest action (a form
    # activated again straight after it ran). The addon must still make the call.
    ("latest action is the form", [
        *started(), user("I need to make a referral to MASH", "make_referral"),
        ActionExecuted("referral_form"),
    ], "referral_form"),
]


def extract(server: ActionServer, events: list[Event], domain: Domain) -> tuple[list, list]:
    server.called.clear()
    tracker = DialogueStateTracker.from_events("turn-cost", events, slots=domain.slots)
    action = ActionExtractSlots(EndpointConfig(server.url))
    result = asyncio.run(action.run(CollectingOutputChannel(),
                                    TemplatedNaturalLanguageGenerator(domain.responses),
                                    tracker, domain))
    return [comparable(e) for e in result], list(server.called)


def comparable(event: Event) -> dict[str, Any]:
    """An event without what differs between any two runs: its time, a random key."""
    data = event.as_dict()
    data.pop("timestamp", None)
    if data.get("name") == "referral_key":
        data["value"] = "<random>"
    return data


@pytest.mark.parametrize(("name", "events", "still_called"), TRACKERS,
                         ids=[t[0] for t in TRACKERS])
def test_extract_slots_gives_the_same_events_with_fewer_calls(
    action_server: ActionServer, domain: Domain, name: str, events: list[Event],
    still_called: str | None,
) -> None:
    ActionExtractSlots._execute_custom_action = slot_extraction._original  # type: ignore[method-assign]
    try:
        rasa_events, rasa_calls = extract(action_server, events, domain)
    finally:
        slot_extraction.install()
    ours, our_calls = extract(action_server, events, domain)
    assert ours == rasa_events
    validations = {f"validate_{form}" for form in domain.form_names}
    assert validations <= set(rasa_calls)  # Rasa calls every one of them, every message
    assert set(our_calls) & validations == ({f"validate_{still_called}"} if still_called
                                            else set())


def test_every_form_validation_answers_only_for_its_own_turn(domain: Domain) -> None:
    """What the addon relies on: each form's validation action is an
    OwnTurnFormValidation, which answers nothing unless its form is the latest action."""
    executor = ActionExecutor()
    executor.register_package("actions")
    for form in domain.form_names:
        action = executor.actions[f"validate_{form}"]
        assert isinstance(getattr(action, "__self__", None), OwnTurnFormValidation), form


# -- event classes found by type name


def test_every_event_type_resolves_to_the_same_class() -> None:
    event_types.install()
    names = {cls.type_name for cls in all_subclasses(Event)}
    for name in sorted(names):
        assert Event.resolve_by_type(name) is event_types._original(name)
        assert Event.resolve_by_type(name) is event_types._original(name)  # kept, same
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no-such-event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no-such-event")


def test_a_stored_tracker_deserialises_the_same() -> None:
    event_types.install()
    events = [*started(), user("hello", "greet"), ActionExecuted("action_greet"),
              SlotSet("audience", "carer"), ActiveLoop("referral_form"), ActiveLoop(None)]
    stored = [e.as_dict() for e in events]
    assert [Event.from_parameters(d) for d in stored] == events


# -- DIET, the ResponseSelector and TED through their traced graph


TEXTS = ["hello", "when does the return interview have to happen",
         "my child is in danger right now", "I need to make a referral to MASH", "14",
         "who do i tell apart from the police if it's late on a saturday", "thanks"]


def test_predictions_are_bit_for_bit_the_same(model: Path) -> None:
    from rasa.core.agent import Agent
    from rasa.utils.tensorflow.models import RasaModel

    RasaModel._rasa_predict = tf_predict._original  # type: ignore[method-assign]
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()

    def predictions() -> list[Any]:
        out = []
        for text in TEXTS:
            parse = loop.run_until_complete(agent.parse_message(text))
            tracker = DialogueStateTracker.from_events(
                "tf", [ActionExecuted("action_listen"),
                       UserUttered(text, parse["intent"], parse["entities"], parse)],
                slots=agent.domain.slots)
            prediction = agent.processor._predict_next_with_tracker(tracker)  # type: ignore[union-attr]
            out.append((parse["intent_ranking"], parse.get("response_selector"),
                        prediction.probabilities))
        return out

    try:
        rasa = predictions()
        tf_predict.install()
        first = predictions()  # the models still use Rasa's path once, then the graph
        ours = predictions()
    finally:
        loop.close()
    assert ours == first == rasa
    assert repr(ours) == repr(rasa)  # every float exactly
    traced = [o for o in gc.get_objects() if isinstance(o, RasaModel)]
    assert traced and all(hasattr(o, tf_predict.ATTRIBUTE) for o in traced)
