"""Work out a conversation's applied events once per message, adding only new events.

Rasa 3.6 asks a tracker for its applied events (`DialogueStateTracker.applied_events`:
the events left after restarts, new sessions, reverts and form re-runs are taken out)
many times per message: twice for the session check, once per prediction, again when a
form runs or a slot is extracted. Each time it goes through every event of the
conversation from the start, and for each run of a form it looks back through what it
has kept. The profile in issue 13 put about 5% of Rasa's CPU there. Within a message
the tracker only grows: the next call sees the same events and a few more.

This keeps, on the tracker, the events the answer was worked out from and Rasa's working
list at their end, and when the tracker has the same events (the same objects, in the
same order) and some more, it goes on from there through the new ones only, with the
loop of Rasa's `applied_events` mirrored in `_apply` and Rasa's own helpers. Rasa's loop
reads one thing about the whole conversation: the names of the forms activated anywhere
in it, later events included. When a new event activates a form not activated before,
the answer for the earlier events could change, so Rasa's code works it out again from
the start. So does any tracker whose kept events are not its first events (a new
session, a retention cut, a copy). Every caller gets its own list.

The test (tests/rasa_runtime/test_turn_cost.py) compares the answer with Rasa's for
every step of whole recorded conversations, forms, reverts, restarts and sessions
included.

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

from itertools import islice
from typing import NamedTuple

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

_original = DialogueStateTracker.applied_events
ATTRIBUTE = "_addon_applied_events"


class Kept(NamedTuple):
    events: tuple[Event, ...]  # the tracker's events the answer was worked out from
    loop_names: frozenset[str]  # the forms activated anywhere in them
    applied: list[Event]  # Rasa's working list after them: the answer


def loop_names(events: object) -> frozenset[str]:
    return frozenset(e.name for e in events  # type: ignore[attr-defined]
                     if isinstance(e, ActiveLoop) and e.name)


def _apply(tracker: DialogueStateTracker, applied: list[Event], event: Event,
           names: frozenset[str]) -> list[Event]:
    """One turn of Rasa 3.6's `applied_events` loop: `applied` after `event`."""
    if isinstance(event, (Restarted, SessionStarted)):
        return []
    if isinstance(event, ActionReverted):
        tracker._undo_till_previous(ActionExecuted, applied)
    elif isinstance(event, UserUtteranceReverted):
        tracker._undo_till_previous(UserUttered, applied)
        tracker._undo_till_previous(ActionExecuted, applied)
    elif (
        isinstance(event, ActionExecuted)
        and event.action_name in names
        and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
    ):
        tracker._undo_till_previous_loop_execution(event.action_name, applied)
    else:
        applied.append(event)
    return applied


def _continued(tracker: DialogueStateTracker, kept: Kept) -> Kept | None:
    """`kept` carried on through the tracker's new events, if it can be."""
    events = tracker.events
    if len(events) < len(kept.events) or not all(
        mine is theirs for mine, theirs in zip(kept.events, events)  # noqa: B905 (prefix)
    ):
        return None
    new = list(islice(events, len(kept.events), None))
    if not loop_names(new) <= kept.loop_names:
        return None
    applied = list(kept.applied)
    for event in new:
        applied = _apply(tracker, applied, event, kept.loop_names)
    return Kept(kept.events + tuple(new), kept.loop_names, applied)


def applied_events(self: DialogueStateTracker) -> list[Event]:
    kept: Kept | None = self.__dict__.get(ATTRIBUTE)
    now = _continued(self, kept) if kept is not None else None
    if now is None:
        events = tuple(self.events)
        now = Kept(events, loop_names(events), _original(self))
    self.__dict__[ATTRIBUTE] = now
    return list(now.applied)


def install() -> None:
    DialogueStateTracker.applied_events = applied_events


def uninstall() -> None:
    DialogueStateTracker.applied_events = _original
