"""Work out a conversation's dialogue states once per prediction, for all the policies.

To predict the next action Rasa 3.6 runs every policy of the ensemble on the same
tracker, and each one turns the whole conversation into dialogue states from its start
(`tracker.past_states` -> `Domain.states_for_tracker_history`): it replays every applied
event into a fresh tracker (`generate_all_prior_trackers`, which first works out the
applied events) and builds a state for each action. RulePolicy does it twice (once with
the text of the latest message, once with its intent), MemoizationPolicy once and TED
twice after a user message (intent and text), and MemoizationPolicy works out the
applied events twice more. The profile in issue 13 put about 15% of Rasa's CPU there, on
a tracker that does not change while the ensemble predicts.

This does the replay once per prediction. While `MessageProcessor._predict_next_with_tracker`
runs for a tracker (`sharing()`), the first `past_states` call on that tracker replays
its events with Rasa's own `generate_all_prior_trackers` and keeps, for each prior
tracker, what Rasa's loop reads from it: whether the turn is hidden, its follow-up
action, latest action, active loop, and its state from Rasa's own `get_active_state`.
Each `past_states` call then runs Rasa's loop (`states_for_tracker_history`, mirrored
line for line in `_states`) over those records, with Rasa's own helpers for the
rule-only features, so each option (`ignore_rule_only_turns`, `rule_only_data`) gets the
states Rasa's code gives. Every call gets its own copy: the featurizer edits the states
in place (it deletes the intent or the text of the latest user input), and the copy
keeps the sharing of one state's parts with another's that Rasa's loop creates, so an
edit reaches the same states it would reach in Rasa's. (The applied events the replay
starts from are kept by rasa_addons/applied_events.py, for the whole message.)

Any other tracker (MemoizationPolicy's shortened ones), a domain class with its own
`states_for_tracker_history`, a call outside a prediction, or a tracker whose
events changed since the prediction began, goes to Rasa's own code. The test
(tests/rasa_runtime/test_turn_cost.py) compares every policy's prediction and the
states themselves with Rasa's over whole recorded conversations, forms included.

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, NamedTuple

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.trackers import DialogueStateTracker

_original_past_states = DialogueStateTracker.past_states
_original_predict = MessageProcessor._predict_next_with_tracker

# The loop `_states` mirrors: a domain class that overrides it goes to its own code.
_original_states_for_tracker_history = Domain.states_for_tracker_history


class Turn(NamedTuple):
    """What Rasa's `states_for_tracker_history` reads from one prior tracker."""

    hide_rule_turn: bool
    followup_action: str | None
    latest_action_name: str | None
    active_loop_name: str | None
    latest_action: dict[str, str] | None
    state: State


def _fingerprint(tracker: DialogueStateTracker) -> tuple[int, int]:
    events = tracker.events
    # The shared record holds the tracker, so its last event's id cannot be reused.
    return len(events), id(events[-1]) if events else 0


class Shared:
    """The states of one tracker during one prediction."""

    def __init__(self, tracker: DialogueStateTracker) -> None:
        self.tracker = tracker
        self.fingerprint = _fingerprint(tracker)
        self.turns: dict[tuple[int, bool], tuple[Domain, list[Turn]]] = {}
        self.replays = 0  # how many times the events were replayed (for the test)

    def serves(self, tracker: DialogueStateTracker) -> bool:
        return tracker is self.tracker and _fingerprint(tracker) == self.fingerprint

    def turns_for(self, domain: Domain, omit_unset_slots: bool) -> list[Turn]:
        key = (id(domain), omit_unset_slots)
        kept = self.turns.get(key)
        if kept is not None and kept[0] is domain:
            return kept[1]
        self.replays += 1
        turns = [
            Turn(hide_rule_turn, tr.followup_action, tr.latest_action_name,
                 tr.active_loop_name, domain._get_prev_action_sub_state(tr),
                 domain.get_active_state(tr, omit_unset_slots=omit_unset_slots))
            for tr, hide_rule_turn in self.tracker.generate_all_prior_trackers()
        ]
        self.turns[key] = (domain, turns)
        return turns


_current: ContextVar[Shared | None] = ContextVar("policy_states", default=None)


@contextlib.contextmanager
def sharing(tracker: DialogueStateTracker) -> Iterator[Shared]:
    """Share `tracker`'s states between the calls made inside."""
    outer = _current.get()
    if outer is not None and outer.serves(tracker):
        yield outer
        return
    shared = Shared(tracker)
    token = _current.set(shared)
    try:
        yield shared
    finally:
        _current.reset(token)


def _mirrored(domain: Domain) -> bool:
    return type(domain).states_for_tracker_history is _original_states_for_tracker_history


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _copy(value: Any, memo: dict[int, Any]) -> Any:
    """A deep copy that keeps shared parts shared (as `copy.deepcopy` with one memo)."""
    kind = type(value)
    if kind is dict:
        found = memo.get(id(value))
        if found is None:
            found = {key: _copy(item, memo) for key, item in value.items()}
            memo[id(value)] = found
        return found
    if kind in _ATOMS or (kind is tuple and all(type(item) in _ATOMS for item in value)):
        return value  # immutable all the way down
    return copy.deepcopy(value, memo)


def _states(turns: list[Turn], domain: Domain, ignore_rule_only_turns: bool,
            rule_only_data: dict[str, Any] | None) -> list[State]:
    """Rasa 3.6's `Domain.states_for_tracker_history` over recorded prior trackers.

    Line for line Rasa's loop; where Rasa reads a prior tracker `tr` this reads its
    record, copied so that nothing reaches the record and the parts Rasa's loop shares
    between states (a previous action, a user sub-state) are shared the same way."""
    memo: dict[int, Any] = {}
    states: list[State] = []
    last_ml_action_sub_state = None
    turn_was_hidden = False
    for turn in turns:
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = _copy(turn.latest_action, memo)
            if (
                not turn.followup_action
                and turn.latest_action_name != turn.active_loop_name  # str/None: as `not ==`
            ):
                turn_was_hidden = turn.hide_rule_turn
            if turn_was_hidden:
                continue

        state = _copy(turn.state, memo)

        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = last_ml_action_sub_state

        states.append(domain._clean_state(state))
    return states


def past_states(
    self: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    shared = _current.get()
    if shared is None or not shared.serves(self) or not _mirrored(domain):
        return _original_past_states(self, domain, omit_unset_slots=omit_unset_slots,
                                     ignore_rule_only_turns=ignore_rule_only_turns,
                                     rule_only_data=rule_only_data)
    return _states(shared.turns_for(domain, omit_unset_slots), domain,
                   ignore_rule_only_turns, rule_only_data)


def predict_next_with_tracker(self: MessageProcessor,
                              tracker: DialogueStateTracker) -> PolicyPrediction:
    with sharing(tracker):
        return _original_predict(self, tracker)


def install() -> None:
    DialogueStateTracker.past_states = past_states
    MessageProcessor._predict_next_with_tracker = predict_next_with_tracker


def uninstall() -> None:
    """Rasa's own code again (for the test's comparisons)."""
    DialogueStateTracker.past_states = _original_past_states
    MessageProcessor._predict_next_with_tracker = _original_predict
