"""The cached validator for action-server replies judges them exactly as Rasa does."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from rasa_addons.action_result_validation import install, validate_action_result

install()  # as rasa_addons/serve.py does in the Rasa process

SCHEMA = RemoteAction.action_response_format_spec()

GOOD = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "audience", "value": "carer"},
            {"event": "active_loop", "name": None},
            {"event": "followup", "name": "action_listen"},
        ],
        "responses": [{"text": "Phone 999.", "buttons": [{"title": "Yes", "payload": "/affirm"}]}],
    },
]
BAD = [
    {"events": [], "responses": "Phone 999."},
    {"events": [{"event": "slot", "name": 3, "value": "x"}], "responses": []},
    {"events": "slot"},
    [],
]


def test_rasa_uses_the_cached_validator() -> None:
    assert RemoteAction._validate_action_result is validate_action_result


@pytest.mark.parametrize("result", GOOD)
def test_valid_replies_pass(result: dict[str, Any]) -> None:
    jsonschema.validate(result, SCHEMA)  # the reference judgement
    assert validate_action_result(RemoteAction.__new__(RemoteAction), result)


@pytest.mark.parametrize("result", BAD)
def test_invalid_replies_fail_with_the_same_error_as_jsonschema(result: Any) -> None:
    with pytest.raises(jsonschema.ValidationError) as reference:
        jsonschema.validate(result, SCHEMA)
    with pytest.raises(jsonschema.ValidationError) as ours:
        validate_action_result(RemoteAction.__new__(RemoteAction), result)
    assert ours.value.message.startswith(reference.value.message)
    assert "Failed to validate Action server response" in ours.value.message
    assert list(ours.value.path) == list(reference.value.path)


# Every kind of event Rasa's schema knows, with each of its fields, and broken copies:
# the check by event kind must judge each the way jsonschema does with the whole schema.
EVENTS = [
    {"event": "user", "text": "hi", "parse_data": {
        "intent": {"name": "greet", "confidence": 0.9},
        "entities": [{"entity": "audience", "value": "carer", "start": 0, "end": 2}],
        "response_selector": {"all_retrieval_intents": ["guidance"]}}},
    {"event": "bot", "text": "Phone 999.", "data": {"buttons": []}, "metadata": {}},
    {"event": "slot", "name": "audience", "value": None, "timestamp": 1.5},
    {"event": "entities", "entities": []},
    {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
    {"event": "active_loop", "name": "referral_form"},
    {"event": "followup", "name": "action_listen"},
    {"event": "reset_slots"}, {"event": "restart"}, {"event": "session_started"},
    {"event": "rewind"}, {"event": "undo"}, {"event": "export"}, {"event": "pause"},
    {"event": "resume"}, {"event": "agent", "text": "x"},
    {"event": "reminder", "intent": "remind", "date_time": "2026-12-05T10:00:00"},
    {"event": "cancel_reminder", "name": "r"},
    {"event": "action_execution_rejected", "name": "referral_form"},
    {"event": "loop_interrupted", "is_interrupted": True},
    {"event": "user_featurization", "use_text_for_featurization": False},
]
BROKEN_VALUES: list[Any] = [None, 3, "x", 1.5, True, [], {}, [1], {"a": 1}]


def variants() -> list[Any]:
    out: list[Any] = []
    for event in EVENTS:
        out.append({"events": [event], "responses": []})
        for field in event:
            for value in BROKEN_VALUES:
                out.append({"events": [{**event, field: value}]})
        out.append({"events": [{k: v for k, v in event.items() if k != "event"}]})
    out.append({"events": EVENTS, "responses": [{"text": "a"}, {"image": "b"}]})
    return out


def test_the_check_by_event_kind_judges_every_event_as_jsonschema_does() -> None:
    from rasa_addons.action_result_validation import by_kind, is_valid

    assert by_kind() is not None  # Rasa's schema has one branch per event name

    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)  # as Rasa judges
    judged = [(is_valid(r), validator.is_valid(r)) for r in variants()]
    assert all(ours == theirs for ours, theirs in judged)
    valid = sum(theirs for _ours, theirs in judged)
    assert 20 < valid < len(judged) - 100  # both kinds were tried, many of each


def test_a_schema_not_split_by_event_name_is_checked_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rasa_addons import action_result_validation as validation

    # A copy: Rasa hands out the same schema object to every caller.
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    schema["properties"]["events"]["items"]["oneOf"].append({"required": ["name"]})
    monkeypatch.setattr(RemoteAction, "action_response_format_spec", staticmethod(lambda: schema))
    validation.by_kind.cache_clear()
    validation.response_validator.cache_clear()
    try:
        assert validation.by_kind() is None
        # A slot event now fits two branches, so the whole schema's oneOf refuses it.
        assert not validation.is_valid({"events": [{"event": "slot", "name": "a", "value": 1}]})
        assert validation.is_valid({"events": [{"event": "restart"}]})
    finally:
        monkeypatch.undo()
        validation.by_kind.cache_clear()
        validation.response_validator.cache_clear()
