"""No action-server round trip for a form's validation action outside that form's turn.

Rasa 3.6 runs `action_extract_slots` after every user message (and again when a form
is activated). For every slot with a custom mapping that names an action, it calls that
action on the action server, once per action name, with the whole tracker. Every slot
our three forms fill has such a mapping (`validate_search_walkthrough_form`,
`validate_referral_form`, `validate_licence_concern_form`), so each message cost three
extra round trips, whatever the conversation was doing: the profile in issue 13 put
about 11% of Rasa's CPU there, most of it encoding the tracker as JSON, and the action
server as much again decoding it.

Those three calls never do anything. Our validation actions answer only for their own
form's turn (`actions/form_validation.py`, `OwnTurnFormValidation`): when the tracker's
latest action is not the form, they return no events. The form's own call (Rasa's
`FormAction.validate_slots`, which adds the form's `ActionExecuted` to the tracker it
sends) is untouched. So this skips the call from `action_extract_slots` exactly when the
action would answer nothing: the action is `validate_<form>` for a form of the domain
and the tracker's latest action is not that form. Any other custom mapping action, and
a validation action called when its form is the latest action, runs as before.

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

VALIDATE_PREFIX = "validate_"

_original = ActionExtractSlots._execute_custom_action


def answers_nothing(action_name: str | None, tracker: DialogueStateTracker,
                    domain: Domain) -> bool:
    """Would the action server answer `action_name` with no events (see the docstring)?"""
    if not action_name or not action_name.startswith(VALIDATE_PREFIX):
        return False
    form = action_name[len(VALIDATE_PREFIX):]
    return form in domain.form_names and tracker.latest_action_name != form


async def execute_custom_action(
    self: ActionExtractSlots,
    mapping: dict[str, Any],
    executed_custom_actions: set[str],
    output_channel: Any,
    nlg: Any,
    tracker: DialogueStateTracker,
    domain: Domain,
) -> tuple[list[Event], set[str]]:
    action_name = mapping.get("action")
    if action_name and answers_nothing(action_name, tracker, domain):
        executed_custom_actions.add(action_name)  # as Rasa marks an action it has run
        return [], executed_custom_actions
    return await _original(self, mapping, executed_custom_actions, output_channel, nlg,
                           tracker, domain)


def install() -> None:
    ActionExtractSlots._execute_custom_action = execute_custom_action
