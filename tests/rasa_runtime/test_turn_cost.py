"""The per-message savings in the Rasa process (issue 13) change nothing Rasa answers.

Each is checked through the real component: Rasa's `ActionExtractSlots` with the real
domain against the project's real actions served over HTTP, Rasa's event
deserialisation, DIET, the ResponseSelector and TED of the trained model, and every
policy of the trained model over trackers recorded from whole conversations. Each test
runs the same inputs with Rasa's own code and with the addon and compares the results.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import gc
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.constants import PLACEHOLDER_TRACKER
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk.executor import ActionExecutor

from actions.form_validation import OwnTurnFormValidation
from bench.mix import GUIDANCE, REFERRAL, SCRIPTS, WALKTHROUGH, Kind
from rasa_addons import (
    applied_events,
    event_types,
    fake_features,
    graph_in_order,
    graph_schema,
    message_features,
    policies_when_needed,
    policy_states,
    selector_keys,
    slot_copy,
    slot_extraction,
    tf_predict,
)
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
    import numpy as np
    from rasa.core.agent import Agent
    from rasa.utils.tensorflow.models import RasaModel

    RasaModel._rasa_predict = tf_predict._original  # type: ignore[method-assign]
    # Models other tests loaded (and keep for the session) are not this agent's.
    others = {id(o) for o in gc.get_objects() if isinstance(o, RasaModel)}
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

    batches: list[tuple[RasaModel, Any]] = []

    def recording(self: RasaModel, batch_in: Any) -> Any:
        batches.append((self, batch_in))
        return tf_predict._original(self, batch_in)

    try:
        RasaModel._rasa_predict = recording  # type: ignore[method-assign]
        rasa = predictions()
        tf_predict.install()
        first = predictions()  # the models still use Rasa's path once, then the graph
        ours = predictions()
    finally:
        loop.close()
    assert ours == first == rasa
    assert repr(ours) == repr(rasa)  # every float exactly
    traced = [o for o in gc.get_objects() if isinstance(o, RasaModel) and id(o) not in others]
    assert traced and all(hasattr(o, tf_predict.ATTRIBUTE) for o in traced)
    # Each model's whole output, diagnostic data included, for every recorded batch.
    assert len({id(m) for m, _ in batches}) == 3  # DIET, the selector and TED
    for rasa_model, batch_in in batches:
        expected = exact(tf_predict._original(rasa_model, batch_in))
        assert exact(tf_predict.rasa_predict(rasa_model, batch_in)) == expected
    # Most inputs were converted directly (and so were checked above).
    direct = [type(value) is np.ndarray and value.dtype == np_dtype
              for m, batch_in in batches
              for value, (np_dtype, _, _) in zip(batch_in, getattr(m, tf_predict.ATTRIBUTE).direct,
                                                 strict=True)]
    assert sum(direct) > len(direct) / 2


def exact(value: Any) -> Any:
    """A value's types, shapes and bytes, for an exact comparison."""
    import numpy as np

    if isinstance(value, dict):
        return ("dict", [(key, exact(item)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [exact(item) for item in value])
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes())
    return (type(value).__name__, repr(value))


def test_inputs_convert_as_tensorflow_converts_them() -> None:
    import numpy as np
    import tensorflow as tf
    from tensorflow.python.framework import ops

    specs = [tf.TensorSpec((None, 3), tf.float32), tf.TensorSpec(None, tf.int64),
             tf.TensorSpec((2,), tf.int32)]

    @tf.function(input_signature=[tuple(specs)])
    def step(batch: Any) -> Any:
        return {"sum": tf.reduce_sum(batch[0]), "ids": batch[1], "n": batch[2]}

    fast = tf_predict.ConcretePredict(step)
    cases = [
        (np.ones((4, 3), np.float32), np.arange(5, dtype=np.int64), np.array([1, 2], np.int32)),
        # Not the signature's dtype or not an array: TensorFlow's own conversion.
        (np.ones((1, 3), np.float64), [[1, 2]], np.array([7, 8], np.int64)),
        (np.zeros((0, 3), np.float32), np.array(3, np.int64), [5, 6]),
    ]
    for batch in cases:
        tensors = fast.inputs(batch)
        assert tensors is not None
        for tensor, value, spec in zip(tensors, batch, specs, strict=True):
            theirs = ops.convert_to_tensor(value, dtype_hint=spec.dtype)
            assert (tensor.dtype, tensor.shape) == (theirs.dtype, theirs.shape)
            assert tensor.numpy().tobytes() == theirs.numpy().tobytes()
        assert exact(tf_predict.to_numpy(fast(tensors))) == exact(
            tf_utils_sync(step(batch)))
    # What does not fit the signature is left to Rasa's path (and TensorFlow's error).
    for batch in [(np.ones((4, 2), np.float32), np.arange(2), np.array([1, 2], np.int32)),
                  (np.ones((4, 3), np.float32), np.arange(2), np.array([1, 2, 3], np.int32)),
                  (np.ones((4, 3), np.float32), np.arange(2))]:
        assert fast.inputs(batch) is None


def tf_utils_sync(outputs: Any) -> Any:
    from keras.utils import tf_utils

    return tf_utils.sync_to_numpy_or_python_type(outputs)


def test_empty_diagnostics_become_none_as_rasa_makes_them() -> None:
    import numpy as np
    from rasa.utils.tensorflow.models import RasaModel

    diagnostics = {"a": np.zeros((0, 2)), "b": [], "c": np.ones(2), "d": {"e": [], "f": [1]},
                   "g": 0.5, "h": "", "i": np.float32(0)}
    expected = RasaModel._empty_lists_to_none_in_dict(diagnostics)
    ours = {key: tf_predict.empty_to_none(value) for key, value in diagnostics.items()}
    assert exact(ours) == exact(expected)


# -- dialogue states worked out once per prediction and shared by the policies

# Whole conversations, forms included: the bench's guidance questions, the search
# walkthrough form to its end, a MASH referral form up to (not including) sending it,
# a crisis inside the walkthrough and a change of audience (bench/transcripts.py).
REFERRAL_UNSENT = dataclasses.replace(
    REFERRAL, persona=tuple(p for p in REFERRAL.persona if "send it" not in p[1]),
    done=r"stay anonymous|change an answer|before it is sent")
CONVERSATIONS: list[Kind | tuple[str, ...]] = [
    GUIDANCE, WALKTHROUGH, REFERRAL_UNSENT, SCRIPTS["crisis-in-form"],
    SCRIPTS["audience-change"],
]


def reply_of(messages: list[dict[str, Any]] | None) -> str:
    return "\n".join(m.get("text") or "" for m in messages or [])


def converse(agent: Any, loop: asyncio.AbstractEventLoop, sender: str,
             what: Kind | tuple[str, ...]) -> None:
    def say(text: str) -> str:
        return reply_of(loop.run_until_complete(agent.handle_text(text, sender_id=sender)))

    if not isinstance(what, Kind):
        for text in what:
            say(text)
        return
    reply = ""
    for text in what.opening:
        reply = say(text)
    for _ in range(what.max_turns):
        if re.search(what.done, reply, re.I):
            break
        reply = say(what.answer(reply) or "not sure")


def policy_outputs(agent: Any, tracker: DialogueStateTracker) -> list[Any]:
    """Every policy's prediction and the ensemble's, for `tracker`, through the graph."""
    from rasa.core.policies.policy import Policy
    from rasa.engine.constants import PLACEHOLDER_TRACKER

    processor = agent.processor
    schema = processor.model_metadata.predict_schema
    targets = sorted(name for name, node in schema.nodes.items()
                     if isinstance(node.uses, type) and issubclass(node.uses, Policy))
    targets.append(processor.model_metadata.core_target)
    results = processor.graph_runner.run(inputs={PLACEHOLDER_TRACKER: tracker}, targets=targets)
    return [prediction_repr(results[target]) for target in targets]


def prediction_repr(prediction: Any) -> str:
    """All of a PolicyPrediction, diagnostic data included, every float exactly."""
    fields = dict(vars(prediction))
    fields["events"] = [comparable(e) for e in prediction.events]
    fields["optional_events"] = [comparable(e) for e in prediction.optional_events]
    fields["diagnostic_data"] = {k: getattr(v, "tolist", lambda v=v: v)()
                                 for k, v in (prediction.diagnostic_data or {}).items()}
    return repr(sorted(fields.items()))


@pytest.fixture(scope="module")
def recorded(model: Path, action_server: ActionServer) -> Iterator[tuple[Any, list[Any]]]:
    """The trained model, and a copy of every tracker Rasa predicted for in the
    conversations above, recorded with Rasa's own code."""
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor

    policy_states.uninstall()
    agent = Agent.load(str(model), action_endpoint=EndpointConfig(action_server.url))
    trackers: list[DialogueStateTracker] = []
    original = MessageProcessor._predict_next_with_tracker

    def recording(self: MessageProcessor, tracker: DialogueStateTracker) -> Any:
        if not tracker.followup_action:
            trackers.append(tracker.copy())
        return original(self, tracker)

    MessageProcessor._predict_next_with_tracker = recording  # type: ignore[method-assign]
    loop = asyncio.new_event_loop()
    try:
        for number, what in enumerate(CONVERSATIONS):
            converse(agent, loop, f"states-{number}", what)
    finally:
        MessageProcessor._predict_next_with_tracker = original  # type: ignore[method-assign]
        loop.close()
    yield agent, trackers
    policy_states.uninstall()


def test_recorded_conversations_cover_forms_and_long_histories(
    recorded: tuple[Any, list[DialogueStateTracker]],
) -> None:
    _, trackers = recorded
    assert len(trackers) > 100
    loops = {t.active_loop_name for t in trackers} - {None}
    assert {"search_walkthrough_form", "referral_form"} <= loops
    assert max(len(t.events) for t in trackers) > 150


def test_every_policy_predicts_the_same_with_shared_states(
    recorded: tuple[Any, list[DialogueStateTracker]],
) -> None:
    agent, trackers = recorded
    policy_states.uninstall()
    rasa = [policy_outputs(agent, t) for t in trackers]
    policy_states.install()
    try:
        ours = []
        for tracker in trackers:
            with policy_states.sharing(tracker) as shared:
                ours.append(policy_outputs(agent, tracker))
            assert shared.replays == 1  # all the policies' states from one replay
        # And through the installed processor, as Rasa serves a message.
        served = [prediction_repr(agent.processor._predict_next_with_tracker(t.copy()))
                  for t in trackers]
    finally:
        policy_states.uninstall()
    unshared = [prediction_repr(agent.processor._predict_next_with_tracker(t.copy()))
                for t in trackers]
    assert ours == rasa
    assert served == unshared


def test_states_are_rasas_and_each_callers_own(
    recorded: tuple[Any, list[DialogueStateTracker]],
) -> None:
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer

    agent, trackers = recorded
    domain = agent.domain
    rule_only_data = agent.processor.graph_runner.run(
        inputs={}, targets=["rule_only_data_provider"])["rule_only_data_provider"]
    assert any(rule_only_data.values())  # the model has rule-only slots or loops
    options = [(False, None), (False, rule_only_data), (True, None), (True, rule_only_data)]
    featurizer = MaxHistoryTrackerFeaturizer()

    def edited(states: list[Any], use_text: bool) -> list[Any]:
        # What Rasa's featurizer does to the states in place; the shared parts of one
        # state and another must take the edit the same way.
        featurizer._choose_last_user_input([states], use_text)
        return states

    def states(tracker: DialogueStateTracker, option: tuple[bool, Any]) -> list[Any]:
        return tracker.past_states(domain, ignore_rule_only_turns=option[0],
                                   rule_only_data=option[1])

    hidden = 0
    for tracker in trackers:
        policy_states.uninstall()
        rasa = [states(tracker, option) for option in options]
        rasa_edited = [[edited(states(tracker, option), text) for text in (False, True)]
                       for option in options]
        policy_states.install()
        try:
            with policy_states.sharing(tracker) as shared:
                for number, option in enumerate(options):
                    first = states(tracker, option)
                    assert first == rasa[number]
                    if first:
                        first[-1].clear()  # the caller's own: the next call is untouched
                    for text in (False, True):
                        assert (edited(states(tracker, option), text)
                                == rasa_edited[number][text])
            assert shared.replays == 1
        finally:
            policy_states.uninstall()
        hidden += len(rasa[3]) < len(rasa[0])
    assert hidden  # some turns were rule-only, and hidden from the ML policies


def test_outside_a_prediction_or_for_another_tracker_rasas_code_runs(
    recorded: tuple[Any, list[DialogueStateTracker]],
) -> None:
    agent, trackers = recorded
    tracker, other = trackers[-1], trackers[-2]
    policy_states.install()
    try:
        assert policy_states._current.get() is None
        assert tracker.past_states(agent.domain) == policy_states._original_past_states(
            tracker, agent.domain)
        with policy_states.sharing(tracker) as shared:
            assert other.past_states(agent.domain) == policy_states._original_past_states(
                other, agent.domain)
            assert shared.replays == 0
            # A tracker changed during the prediction is not served from what was kept.
            changed = tracker.copy()
            with policy_states.sharing(changed) as kept:
                before = changed.past_states(agent.domain)
                changed.update(ActionExecuted("action_listen"))
                after = changed.past_states(agent.domain)
            assert kept.replays == 1
            assert after == policy_states._original_past_states(changed, agent.domain)
            assert len(after) == len(before) + 1
    finally:
        policy_states.uninstall()


# -- MemoizationPolicy and TED run only when their predictions could change the choice


def ensemble_prediction(agent: Any, tracker: DialogueStateTracker) -> str:
    """The ensemble's prediction for `tracker`, as the processor gets it."""
    return prediction_repr(agent.processor._predict_next_with_tracker(tracker.copy()))


def deferred_share(agent: Any, trackers: list[DialogueStateTracker]) -> float:
    runner = agent.processor.graph_runner
    plan = policies_when_needed.plan_for(runner, agent.processor.model_metadata.core_target)
    assert plan is not None
    deferred = 0
    for tracker in trackers:
        first = runner.run(inputs={PLACEHOLDER_TRACKER: tracker.copy()},
                           targets=[*plan.first, plan.domain])
        deferred += policies_when_needed.cannot_change(
            [first[name] for name in plan.first], list(plan.deferred.values()), tracker,
            first[plan.domain])
    return deferred / len(trackers)


def test_the_ensemble_predicts_the_same_with_policies_deferred(
    recorded: tuple[Any, list[DialogueStateTracker]],
) -> None:
    agent, trackers = recorded
    plan = policies_when_needed.plan_for(agent.processor.graph_runner,
                                         agent.processor.model_metadata.core_target)
    assert plan is not None and plan.first == ("run_RulePolicy0",)
    assert set(plan.deferred) == {"run_MemoizationPolicy1", "run_TEDPolicy2"}
    rasa = [ensemble_prediction(agent, t) for t in trackers]
    policy_states.install()  # as served: with the shared states
    policies_when_needed.install()
    try:
        ours = [ensemble_prediction(agent, t) for t in trackers]
        share = deferred_share(agent, trackers)
    finally:
        policies_when_needed.uninstall()
        policy_states.uninstall()
    assert ours == rasa
    assert share > 0.8  # (the next test makes RulePolicy unsure, so that they run)


def test_deferred_policies_run_when_they_can_win(
    recorded: tuple[Any, list[DialogueStateTracker]],
) -> None:
    """RulePolicy made unsure (its confidences halved): MemoizationPolicy and TED must run
    and sometimes win, and the ensemble still predicts what Rasa's code predicts."""
    agent, trackers = recorded
    runner = agent.processor.graph_runner
    node = runner._instantiated_nodes["run_RulePolicy0"]
    rule_fn = node._fn

    def unsure(policy: Any, **kwargs: Any) -> Any:
        prediction = rule_fn(policy, **kwargs)
        prediction.probabilities = [p / 2 for p in prediction.probabilities]
        return prediction

    node._fn = unsure
    try:
        rasa = [ensemble_prediction(agent, t) for t in trackers]
        policies_when_needed.install()
        try:
            ours = [ensemble_prediction(agent, t) for t in trackers]
        finally:
            policies_when_needed.uninstall()
        # Leaving them out regardless would have changed predictions: the test can fail.
        plan = policies_when_needed.plan_for(runner, agent.processor.model_metadata.core_target)
        assert plan is not None
        always_left_out = [
            prediction_repr(runner.run(
                inputs={PLACEHOLDER_TRACKER: t.copy(), **dict.fromkeys(plan.deferred)},
                targets=[agent.processor.model_metadata.core_target],
            )[agent.processor.model_metadata.core_target])
            for t in trackers[:60]
        ]
    finally:
        node._fn = rule_fn
    assert ours == rasa
    assert any("MemoizationPolicy" in p for p in rasa)
    assert always_left_out != rasa[:60]


def ensemble_cases(domain: Domain) -> Iterator[tuple[list[PolicyPrediction],
                                                     list[PolicyPrediction], list[Any]]]:
    """Predictions of the policies run first and of deferred ones, in every combination
    of what decides the ensemble: confidence, priority, no-user and end-to-end flags,
    mandatory events."""
    from rasa.shared.core.events import LoopInterrupted

    size = domain.num_actions

    def one(index: int, confidence: float, priority: int, **flags: Any) -> PolicyPrediction:
        probabilities = [0.0] * size
        probabilities[index] = confidence
        return PolicyPrediction(probabilities, f"policy{priority}", priority, **flags)

    a, b = 3, 5
    firsts = [
        [one(index, confidence, 6, is_no_user_prediction=no_user,
             is_end_to_end_prediction=e2e, events=events)]
        for index in (a, b) for confidence in (1.0, 0.3, 0.0)
        for no_user in (False, True) for e2e in (False, True)
        for events in ([], [LoopInterrupted(True)])
    ]
    memos = [one(a, 0.0, 3), one(a, 1.0, 3), one(b, 1.0, 3)]
    teds = [one(index, confidence, 1, is_end_to_end_prediction=e2e,
                optional_events=[SlotSet("audience", "carer")])
            for index in (a, b) for confidence in (0.016, 0.7, 1.0) for e2e in (False, True)]
    for first in firsts:
        for memo in memos:
            for ted in teds:
                yield first, [memo, ted], [
                    policies_when_needed.Deferred(3, policies_when_needed.never),
                    policies_when_needed.Deferred(
                        1, lambda _t, e2e=ted.is_end_to_end_prediction: e2e),
                ]


def test_deferring_never_changes_rasas_ensemble_choice(domain: Domain) -> None:
    from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
    from rasa.shared.core.events import ActionExecutionRejected

    ensemble = DefaultPolicyPredictionEnsemble()
    rejected = domain.action_names_or_texts[3]
    trackers = [
        DialogueStateTracker.from_events("e", [*started(), user("hello", "greet")]),
        DialogueStateTracker.from_events(
            "e", [*started(), user("hello", "greet"), ActionExecuted("utter_greet")]),
        DialogueStateTracker.from_events(
            "e", [*started(), user("hello", "greet"), ActionExecutionRejected(rejected)]),
    ]

    def combined(predictions: list[PolicyPrediction], tracker: DialogueStateTracker) -> str:
        copies = [PolicyPrediction(list(p.probabilities), p.policy_name, p.policy_priority,
                                   list(p.events), list(p.optional_events),
                                   p.is_end_to_end_prediction, p.is_no_user_prediction)
                  for p in predictions]
        return prediction_repr(ensemble.combine_predictions(copies, tracker, domain))

    outcomes: set[tuple[bool, bool]] = set()
    for tracker in trackers:
        for first, later, how in ensemble_cases(domain):
            left_out = policies_when_needed.cannot_change(first, how, tracker, domain)
            same = combined([*first, *later], tracker) == combined(first, tracker)
            assert same or not left_out, (first, later, tracker.events[-1])
            outcomes.add((left_out, same))
    # Cases left out, cases run that did matter and cases run that did not.
    assert outcomes == {(True, True), (False, False), (False, True)}


# -- graph_schema: each run's part of the graph worked out once


def test_each_runs_part_of_the_graph_is_rasas_own(
    recorded: tuple[Any, list[DialogueStateTracker]],
) -> None:
    agent, trackers = recorded
    metadata = agent.processor.model_metadata
    schema = metadata.predict_schema
    target_lists = [[metadata.core_target], [metadata.nlu_target],
                    [metadata.core_target, metadata.nlu_target], sorted(schema.nodes)]
    target_lists += [[name] for name in sorted(schema.nodes)]
    graph_schema.uninstall()
    rasa = [schema.minimal_graph_schema(targets) for targets in target_lists]
    rasa_predictions = [policy_outputs(agent, t) for t in trackers[:40]]
    graph_schema.install()
    try:
        ours = [schema.minimal_graph_schema(targets) for targets in target_lists]
        again = [schema.minimal_graph_schema(list(targets)) for targets in target_lists]
        predictions = [policy_outputs(agent, t) for t in trackers[:40]]
    finally:
        graph_schema.uninstall()
    assert ours == rasa
    assert all(kept is first for kept, first in zip(again, ours, strict=True))
    assert len({len(part.nodes) for part in ours}) > 3  # the target lists differ
    assert predictions == rasa_predictions


# -- message_features: each message's features combined once, for DIET and the selector

PARSED = [*TEXTS, *GUIDANCE.opening, *WALKTHROUGH.opening,
          *(answer for _pattern, answer in WALKTHROUGH.persona + REFERRAL.persona),
          "ok", "she's 15, looked after, missing since yesterday 6pm, not answering her phone "
          "and her friends say she went off in a car with two older men"]


def test_every_parse_is_rasas_own_with_features_combined_once(
    recorded: tuple[Any, list[DialogueStateTracker]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rasa.shared.nlu.training_data.message import Message

    agent, _ = recorded
    loop = asyncio.new_event_loop()

    def parses() -> list[str]:
        return [repr(loop.run_until_complete(agent.parse_message(text))) for text in PARSED]

    combined: list[Message] = []  # held, so that no two messages share an id
    original = message_features._original_get_all_features

    def counting(self: Message, *args: Any, **kwargs: Any) -> Any:
        combined.append(self)
        return original(self, *args, **kwargs)

    try:
        message_features.uninstall()
        rasa = parses()
        message_features.install()
        with monkeypatch.context() as patch:
            patch.setattr(message_features, "_original_get_all_features", counting)
            ours = parses()
    finally:
        message_features.uninstall()
        loop.close()
    assert ours == rasa
    assert any('"response_selector"' in p or "'response_selector'" in p for p in ours)
    # DIET and the ResponseSelector asked for the same features; they were combined once.
    assert len(combined) == len({id(m) for m in combined}) == len(PARSED)


def test_sparse_features_stack_as_scipy_stacks_them() -> None:
    import numpy as np
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features

    rng = np.random.default_rng(7)

    def block(rows: int, cols: int, dtype: Any) -> Features:
        matrix = scipy.sparse.random(rows, cols, density=0.3, format="coo", dtype=dtype,
                                     random_state=rng)
        return Features(matrix, "sequence", "text", f"f{cols}")

    for dtypes in ([np.float64] * 3, [np.int64, np.float32, np.float64], [np.float32] * 2):
        features = [block(5, 10 + n, dtype) for n, dtype in enumerate(dtypes)]
        rasa = message_features._original_combine_features(features, ["a", "b"])
        ours = message_features.combine_features(features, ["a", "b"])
        assert rasa is not None and ours is not None
        for part in ("data", "row", "col"):
            got, want = getattr(ours.features, part), getattr(rasa.features, part)
            assert got.dtype == want.dtype and np.array_equal(got, want)
        assert ours.features.shape == rasa.features.shape
        assert (ours.type, ours.attribute, ours.origin) == (rasa.type, rasa.attribute, ["a", "b"])
    # Anything but COO matrices of one height is Rasa's to combine (and to refuse).
    uneven = [block(5, 3, np.float64), block(4, 3, np.float64)]
    with pytest.raises(ValueError, match="sequence dimensions"):
        message_features.combine_features(uneven, [])


# -- applied_events: worked out once per message, then only through new events


def grown(events: list[Event], domain: Domain) -> Iterator[DialogueStateTracker]:
    """One tracker taking `events` one by one, as a message's handling grows it."""
    tracker = DialogueStateTracker.from_events("grown", [], slots=domain.slots)
    for event in events:
        tracker.update(event, domain)
        yield tracker


def with_reverts_and_restarts(events: list[Event]) -> list[Event]:
    """A recorded conversation with every kind of event that takes others back."""
    third = len(events) // 3
    return [*events[:third], UserUtteranceReverted(), ActionReverted(),
            ActiveLoop("a_form_never_seen"), ActionExecuted("a_form_never_seen"),
            ActionExecutionRejected("a_form_never_seen"), ActiveLoop(None),
            *events[third:2 * third], Restarted(), *events[2 * third:], SessionStarted(),
            *events[:third]]


def test_applied_events_are_rasas_at_every_step_and_each_callers_own(
    recorded: tuple[Any, list[DialogueStateTracker]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    agent, trackers = recorded
    longest = max(trackers, key=lambda t: len(t.events))
    with_loops = [t for t in trackers if t.active_loop_name][-1]
    cases = [list(longest.events), list(with_loops.events),
             with_reverts_and_restarts(list(longest.events))]
    worked_out: list[int] = []
    original = applied_events._original

    def counting(self: DialogueStateTracker) -> list[Event]:
        worked_out.append(len(self.events))
        return original(self)

    steps = 0
    with monkeypatch.context() as patch:
        patch.setattr(applied_events, "_original", counting)
        applied_events.install()
        try:
            for events in cases:
                worked_out.clear()
                for tracker in grown(events, agent.domain):
                    rasa = original(tracker)
                    ours = tracker.applied_events()
                    assert ours == rasa and ours is not tracker.applied_events()
                    ours.clear()  # the caller's own list: the next call is untouched
                    assert tracker.applied_events() == rasa
                    steps += 1
                # Rasa's code ran from the start only where a form first shows up.
                assert 1 <= len(worked_out) <= 1 + len(applied_events.loop_names(events))
                copied = tracker.copy()  # another tracker: its own answer
                assert copied.applied_events() == original(copied)
        finally:
            applied_events.uninstall()
    assert steps > 400


def test_the_session_check_and_predictions_are_rasas_own_with_applied_events_kept(
    recorded: tuple[Any, list[DialogueStateTracker]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    agent, trackers = recorded
    processor = agent.processor
    fresh = trackers[-1].copy()
    expired = copy.deepcopy(trackers[-1])  # copy() shares the events, this edits them
    for event in expired.events:
        event.timestamp = time.time() - 3 * 3600  # older than the 60-minute session
    loop = asyncio.new_event_loop()

    def checked(tracker: DialogueStateTracker) -> tuple[list[dict[str, Any]], str]:
        copied = tracker.copy()
        loop.run_until_complete(processor._update_tracker_session(
            copied, CollectingOutputChannel()))
        prediction = prediction_repr(processor._predict_next_with_tracker(copied))
        return [comparable(e) for e in list(copied.events)[len(tracker.events):]], prediction

    worked_out: list[int] = []
    original = applied_events._original

    def counting(self: DialogueStateTracker) -> list[Event]:
        worked_out.append(len(self.events))
        return original(self)

    try:
        applied_events.uninstall()
        rasa = [checked(fresh), checked(expired)]
        with monkeypatch.context() as patch:
            patch.setattr(applied_events, "_original", counting)
            applied_events.install()
            ours_fresh = checked(fresh)
            # Rasa works them out twice for the session check and again for each policy.
            assert worked_out == [len(fresh.events)]
            ours = [ours_fresh, checked(expired)]
    finally:
        applied_events.uninstall()
        loop.close()
    assert ours == rasa
    assert rasa[0][0] == [] and any(e["event"] == "session_started" for e in rasa[1][0])


# -- SafetyOverride reads the entity extractor's parse of the message


def test_one_cased_parse_per_message_and_the_same_crisis_spans(
    recorded: tuple[Any, list[DialogueStateTracker]], spacy_pipeline: Path,
) -> None:
    import spacy
    from spacy.language import Language

    from rasa_addons.safety_override import crisis_spans

    agent, _ = recorded
    nlp = spacy.load(spacy_pipeline)
    texts = ["he has a knife and says he will hurt her", "she's not in danger, just late",
             "how is trafficking defined", "My Daughter Was Raped last night",
             "when does the return interview have to happen",
             # Longer than InputGuard's limit: the extractor sees the cut text, the
             # override the whole, so the override parses it itself.
             "where is my son " * 80 + "he is being groomed"]
    calls: list[str] = []
    original = Language.__call__

    def counting(self: Language, text: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(str(text))
        return original(self, text, *args, **kwargs)

    loop = asyncio.new_event_loop()
    Language.__call__ = counting  # type: ignore[method-assign]
    try:
        for text in texts:
            calls.clear()
            parse = loop.run_until_complete(agent.parse_message(text))
            found = sorted((e["value"], e["start"], e["end"]) for e in parse["entities"]
                           if e["entity"] == "crisis_type")
            if len(text) > 1000:
                assert len(calls) == 3
            else:  # SpacyNLP's lower-cased parse, and one of the text itself
                assert sorted(calls) == sorted([text.lower(), text])
            Language.__call__ = original  # type: ignore[method-assign]
            assert found == sorted(crisis_spans(nlp, text))
            Language.__call__ = counting  # type: ignore[method-assign]
    finally:
        Language.__call__ = original  # type: ignore[method-assign]
        loop.close()


# -- slot_copy: a slot copied as copy.copy copies it, without its generic machinery


def test_every_slot_copies_as_copy_copy_copies_it(domain: Domain) -> None:
    from rasa.shared.core.slots import Slot

    for cls in {type(slot) for slot in domain.slots}:  # nothing of their own to copy by
        own = [vars(k) for k in cls.__mro__ if k is not object]
        assert not {"__copy__", "__reduce_ex__", "__reduce__", "__getstate__",
                    "__new__"} & {name for names in own for name in names}
        assert all(not names.get("__slots__") for names in own)  # abc.ABC's is empty
    slot_copy.uninstall()
    rasa = [copy.copy(slot) for slot in domain.slots]
    slot_copy.install()
    try:
        ours = [copy.copy(slot) for slot in domain.slots]
    finally:
        slot_copy.uninstall()
    assert "__copy__" not in Slot.__dict__
    assert len({type(s) for s in ours}) >= 3  # several kinds of slot
    for slot, theirs, mine in zip(domain.slots, rasa, ours, strict=True):
        assert type(mine) is type(theirs) and mine is not slot
        assert vars(mine) == vars(theirs)
        assert all(vars(mine)[k] is vars(slot)[k] for k in vars(slot))  # shallow, as Rasa's
        mine.value = "changed"
        assert slot.value != "changed"


# -- graph_in_order: each graph run's nodes in order, without dask's scheduler


def test_every_graph_run_is_rasas_own_without_dasks_scheduler(
    recorded: tuple[Any, list[DialogueStateTracker]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    agent, trackers = recorded
    loop = asyncio.new_event_loop()

    def outputs() -> tuple[list[str], list[list[Any]], list[Any]]:
        parses = [repr(loop.run_until_complete(agent.parse_message(text))) for text in PARSED]
        predictions = [policy_outputs(agent, t) for t in trackers]
        sender = f"in-order-{len(senders)}"
        senders.append(sender)
        converse(agent, loop, sender, WALKTHROUGH)
        tracker = loop.run_until_complete(agent.tracker_store.retrieve(sender))
        # The actions and who chose them (the texts hold the time of day).
        steps = [(e.action_name, e.policy, e.confidence) for e in tracker.events
                 if isinstance(e, ActionExecuted)]
        return parses, predictions, steps

    senders: list[str] = []
    scheduled: list[Any] = []
    ordered: list[Any] = []
    order = graph_in_order._order

    def counted_order(graph: Any) -> Any:
        ordered.append(graph)
        return order(graph)

    def dask_get(*args: Any, **kwargs: Any) -> Any:
        scheduled.append(args[1])
        return graph_in_order._dask_get(*args, **kwargs)

    try:
        graph_in_order.uninstall()
        rasa = outputs()
        graph_in_order.install()
        with monkeypatch.context() as patch:
            patch.setattr(graph_in_order, "_dask_get", dask_get)
            patch.setattr(graph_in_order, "_order", counted_order)
            ours = outputs()
    finally:
        graph_in_order.uninstall()
        loop.close()
    assert scheduled == []  # every graph run was Rasa's usual shape
    assert len(ordered) > len(trackers) + len(PARSED)  # and went through this
    assert ours == rasa
    assert len(rasa[2]) > 20 and any(s[0] == "search_walkthrough_form" for s in rasa[2])


class Node:
    """A graph node that records when it ran."""

    def __init__(self, name: str, ran: list[str], fail: bool = False) -> None:
        self.name, self.ran, self.fail = name, ran, fail

    def __call__(self, *inputs: Any) -> tuple[str, Any]:
        self.ran.append(self.name)
        if self.fail:
            raise ValueError(f"{self.name} failed")
        return self.name, inputs


def test_a_graph_runs_as_dask_runs_it() -> None:
    import dask

    def graph(ran: list[str], fail: str = "") -> dict[str, Any]:
        node = {n: Node(n, ran, fail == n) for n in ("a", "b", "c", "d", "unused")}
        return {
            "d": (node["d"], "b", "c", "__tracker__"),  # __tracker__: not in the graph
            "b": (node["b"], "a"),
            "c": (node["c"], "a", "__message__"),
            "a": (node["a"],),
            "unused": (node["unused"], "a"),  # needed by no key: dask runs it anyway
            "__message__": ("__message__", [{"text": "hi"}]),
        }

    for keys in (["d"], ["c", "b"], ["__message__"], ["a", "d", "unused"]):
        dask_ran: list[str] = []
        ours_ran: list[str] = []
        expected = dask.get(graph(dask_ran), keys)
        assert graph_in_order.get_in_order(graph(ours_ran), keys) == expected
        assert sorted(ours_ran) == sorted(dask_ran) == ["a", "b", "c", "d", "unused"]
        for name, *inputs in (g for g in graph([]).values() if isinstance(g[0], Node)):
            assert all(ours_ran.index(i) < ours_ran.index(name.name)
                       for i in inputs if i in ("a", "b", "c"))
    # A node's exception goes up unchanged, as dask raises it.
    with pytest.raises(ValueError, match="b failed"):
        dask.get(graph([], fail="b"), ["d"])
    with pytest.raises(ValueError, match="b failed"):
        graph_in_order.get_in_order(graph([], fail="b"), ["d"])


@pytest.mark.parametrize("shape", ["list argument", "nested task", "cycle", "unknown key"])
def test_other_graph_shapes_go_to_dask(shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    graphs: dict[str, tuple[dict[str, Any], list[str]]] = {
        "list argument": ({"a": (Node("a", ran),), "b": (Node("b", ran), ["a"])}, ["b"]),
        "nested task": ({"a": (Node("a", ran),), "b": (Node("b", ran), (Node("x", ran),))},
                        ["b"]),
        "cycle": ({"a": (Node("a", ran), "b"), "b": (Node("b", ran), "a")}, ["a"]),
        "unknown key": ({"a": (Node("a", ran),)}, ["z"]),
    }
    given, keys = graphs[shape]
    handed: list[Any] = []
    monkeypatch.setattr(graph_in_order, "_dask_get",
                        lambda graph, keys, **kwargs: handed.append((graph, keys)) or "dask")
    assert graph_in_order.get_in_order(given, keys) == "dask"
    assert handed == [(given, keys)] and ran == []


# -- fake_features: the stand-in features made without copying the real ones


def features_repr(features: Any) -> Any:
    """A Features object whole: its attributes, and its matrix's kind, shape and data."""
    import numpy as np
    import scipy.sparse

    matrix = features.features
    if scipy.sparse.issparse(matrix):
        data = (type(matrix).__name__, matrix.shape, matrix.dtype.str,
                matrix.toarray().tobytes())
    else:
        data = (type(matrix).__name__, np.shape(matrix), matrix.dtype.str, matrix.tobytes())
    return (type(features).__name__, data,
            sorted((k, repr(v)) for k, v in vars(features).items() if k != "features"))


def test_fake_features_are_rasas_own(
    recorded: tuple[Any, list[DialogueStateTracker]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    import numpy as np
    import rasa.utils.tensorflow.model_data_utils as model_data_utils
    from rasa.shared.nlu.training_data.features import Features

    agent, _ = recorded
    given: list[Any] = []

    def recording(all_features: Any) -> Any:
        given.append(all_features)
        return fake_features._original(all_features)

    loop = asyncio.new_event_loop()
    try:
        with monkeypatch.context() as patch:
            patch.setattr(model_data_utils, "_create_fake_features", recording)
            for text in PARSED:
                loop.run_until_complete(agent.parse_message(text))
    finally:
        loop.close()
    origin = ["DenseFeaturizer", "other"]
    dense = Features(np.arange(12, dtype=np.float32).reshape(3, 4), "sequence", "text", origin)
    given.append([[None], [[dense, dense]]])  # a missing example first, a repeated object
    assert len(given) >= 2 * len(PARSED)  # DIET's and the selector's, per message
    for all_features in given:
        before = [[[features_repr(f) for f in fs] for fs in per if fs is not None]
                  for per in all_features]
        rasa = fake_features._original(all_features)
        ours = fake_features.create_fake_features(all_features)
        assert [features_repr(f) for f in ours] == [features_repr(f) for f in rasa]
        after = [[[features_repr(f) for f in fs] for fs in per if fs is not None]
                 for per in all_features]
        assert after == before
    assert any(f.is_sparse() for all_features in given[:-1] for per in all_features
               for fs in per if fs is not None for f in fs)
    # The origin list is copied, as a deep copy copies it.
    copies = fake_features.create_fake_features(given[-1])
    assert copies[0].origin == origin and copies[0].origin is not dense.origin
    assert copies[0].origin is not copies[1].origin


# -- selector_keys: the selector's response keys from a table


def test_response_keys_are_rasas_own(recorded: tuple[Any, list[DialogueStateTracker]]) -> None:
    from rasa.nlu.selectors.response_selector import ResponseSelector

    agent, _ = recorded
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    selectors = [node._component for node in nodes
                 if isinstance(getattr(node, "_component", None), ResponseSelector)]
    assert len(selectors) == 1
    selector = selectors[0]
    names: list[Any] = [None, "", "guidance", "guidance/", "not a record", "utter_guidance"]
    for name, texts in selector.responses.items():
        names += [name, name.removeprefix("utter_"), name.upper()]
        names += [t.get("text") for t in texts]
    names += list(selector.index_label_id_mapping.values())  # what the selector predicts
    assert len(names) > 300
    for name in names:
        label = {"name": name, "id": 1}
        assert selector_keys.resolve_intent_response_key(selector, label) == \
            selector_keys._original(selector, label), name


@pytest.mark.parametrize("responses", [
    # A text that is another response's key, the same text twice, a key twice.
    {"utter_guidance/a": [{"text": "guidance/b"}, {"text": "same"}],
     "utter_guidance/b": [{"text": "same"}, {"text": None}],
     "utter_other": [{"buttons": []}, {"text": "guidance/a"}]},
    # No utter_ prefix (Rasa fails when it reaches it) and a text that is not a string.
    {"utter_guidance/a": [{"text": "x"}], "guidance/b": [{"text": "y"}]},
    {"utter_guidance/a": [{"text": ["x"]}], "utter_b": [{"text": "y"}]},
])
def test_response_keys_resolve_as_rasa_resolves_them(responses: dict[str, Any]) -> None:
    from rasa.nlu.selectors.response_selector import ResponseSelector

    selector = ResponseSelector.__new__(ResponseSelector)
    selector.responses = responses
    names = [None, "", "guidance/a", "guidance/b", "same", "other", "x", "y", "z", "b"]
    for name in names:
        label = {"name": name}
        try:
            expected: Any = selector_keys._original(selector, label)
        except IndexError as error:
            expected = error
        try:
            ours: Any = selector_keys.resolve_intent_response_key(selector, label)
        except IndexError as error:
            ours = error
        assert type(ours) is type(expected) and str(ours) == str(expected), name
