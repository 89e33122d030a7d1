"""A form validation action that answers only for its own form's turn.

Rasa 3.6 runs every custom slot mapping's action from `action_extract_slots` on every
user message, whichever form is active, and then the form runs its validation action
again. Because our forms choose their next question themselves (`required_slots` is
overridden, so the SDK sets `requested_slot`), answering both calls would consume one
answer twice and skip a question, and one form could move another form's
`requested_slot`. So the validation runs only when the form itself calls it: Rasa then
passes a tracker whose latest action is the form.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class OwnTurnFormValidation(FormValidationAction, ABC):
    # Abstract, so that the SDK's executor does not register this base class itself.
    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if tracker.latest_action_name != self.form_name():
            return []
        return await super().run(dispatcher, tracker, domain)
