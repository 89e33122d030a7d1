"""Check action-server replies against Rasa's schema with one validator built once.

Rasa 3.6 (`RemoteAction._validate_action_result`) calls `jsonschema.validate()` for
every custom action call, and that function first checks the *schema itself* against
the JSON Schema meta-schema, then builds a new validator. The schema is a constant, so
that work is repeated for nothing: profiling the Rasa process under `bench/latency.py`
(py-spy, 20 concurrent conversations) put about half its CPU time in jsonschema, most of
it re-checking the schema. Replies are still validated exactly as Rasa does it: the same
schema, the same validator class, the same best-match error and the same message.

Even with one validator, a valid reply costs jsonschema a walk of each event it carries
through all 23 branches of the schema's `oneOf` of event kinds, because `oneOf` must find
exactly one that fits: about 6% of Rasa's CPU per message in the issue 13 profile after
the other savings. Each branch fixes the event's name (`"event": {"const": "slot"}`) and
every event must have a name, so an event fits at most one branch, the one named by its
`event`, and the `oneOf` holds exactly when that branch fits. So a reply is first checked
against the schema without the `oneOf` and each event against its own branch, with the
same validator class; a reply that fails goes to the whole schema for Rasa's exact error.
If a later schema's branches are not one per name, the whole schema is used every time.

`rasa_addons/serve.py` installs it in the Rasa process that `make run` starts.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, NamedTuple

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


class ByKind(NamedTuple):
    without_kinds: Any  # the schema with the events' `oneOf` left out
    kinds: dict[str, Any]  # event name -> a validator of that name's branch


@lru_cache(maxsize=1)
def by_kind() -> ByKind | None:
    """The schema split by event name, or None if its `oneOf` is not one branch per name."""
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    cls = validators.validator_for(schema)
    item = schema.get("properties", {}).get("events", {}).get("items", {})
    branches = item.pop("oneOf", [])
    names = [b.get("properties", {}).get("event", {}).get("const") for b in branches]
    if (not branches or "event" not in item.get("required", ())
            or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names)):
        return None
    return ByKind(cls(schema), {n: cls(b) for n, b in zip(names, branches, strict=True)})


def is_valid(result: Any) -> bool:
    split = by_kind()
    if split is None:
        return bool(response_validator().is_valid(result))
    if not split.without_kinds.is_valid(result):
        return False
    for event in result.get("events") or ():
        kind = split.kinds.get(event["event"])
        if kind is None or not kind.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if is_valid(result):
        return True
    error = exceptions.best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
