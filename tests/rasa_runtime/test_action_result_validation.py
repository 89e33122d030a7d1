"""The cached validator for action-server replies judges them exactly as Rasa does."""

from __future__ import annotations

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
