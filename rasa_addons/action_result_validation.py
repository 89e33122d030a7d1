"""Check action-server replies against Rasa's schema with one validator built once.

Rasa 3.6 (`RemoteAction._validate_action_result`) calls `jsonschema.validate()` for
every custom action call, and that function first checks the *schema itself* against
the JSON Schema meta-schema, then builds a new validator. The schema is a constant, so
that work is repeated for nothing: profiling the Rasa process under `bench/latency.py`
(py-spy, 20 concurrent conversations) put about half its CPU time in jsonschema, most of
it re-checking the schema. Replies are still validated exactly as Rasa does it: the same
schema, the same validator class, the same best-match error and the same message.
`rasa_addons/serve.py` installs it in the Rasa process that `make run` starts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
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
