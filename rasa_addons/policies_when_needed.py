"""Run MemoizationPolicy and TED only when their predictions could change the choice.

To predict the next action Rasa 3.6 runs every policy node of the prediction graph
(here RulePolicy, MemoizationPolicy, TEDPolicy) and then `DefaultPolicyPredictionEnsemble`,
which keeps the prediction with the highest (confidence, policy priority), "no user"
predictions (a form's happy path) overruling all others and end-to-end predictions (made
from the text of the latest message) overruling the others made from user input. The
profile in issue 13 put about a fifth of Rasa's CPU in TED's prediction and a twentieth in
MemoizationPolicy's. But RulePolicy (priority 6) predicts most actions with confidence
1.0, and then MemoizationPolicy (priority 3) and TED (priority 1) cannot win. Measured
in issue 13 over the bench's conversations (170 predictions) and the test stories (419),
RulePolicy's prediction won every time, and 95% and 100% of them left nothing for the
other two to decide.

So, for the graph run Rasa makes for the ensemble alone (`MessageProcessor.
_predict_next_with_tracker`: the tracker the only input, the ensemble the one target),
this first runs the policies that are not deferred, asks Rasa's own
`_best_policy_prediction` which of their predictions wins (on copies: it zeroes an action
the tracker rejected), and then runs the ensemble with those predictions given as the
nodes' outputs. The deferred policies are given `None` (the ensemble drops any input that
is not a prediction) exactly when their predictions could not change the result, and
otherwise run in that graph run as before:
- the winner is a "no user" prediction: a deferred policy never makes one, so the
  ensemble would pass over its prediction;
- or the winner has confidence 1.0 (or more) and a higher priority than each deferred
  policy, and either is end-to-end itself or no deferred policy can be end-to-end for
  this tracker (an end-to-end prediction would overrule a winner that is not).
A policy is deferred only if its prediction never carries mandatory events (the ensemble
adds every prediction's mandatory events to the result; optional ones only the winner's),
is never a "no user" prediction, and never has a confidence above 1.0, all read from
Rasa 3.6's code:
- `MemoizationPolicy` (exactly, not a subclass), unless `use_nlu_confidence_as_score`:
  confidences 0 or 1.0, never end-to-end;
- `TEDPolicy` (exactly) with `model_confidence: softmax` (a softmax is at most 1.0): its
  prediction is end-to-end only if TED learned from text alone, or right after a user
  message when TED knows text features and its text-based guess wins (`_featurize_tracker`,
  `_pick_confidence`); then it is treated as possibly end-to-end.
So the ensemble's result, the events it adds, and the policy name and confidence stored
in the tracker's `ActionExecuted` are the same. Any other graph run, an ensemble that is
not exactly Rasa's, or a graph where nothing can be deferred goes to Rasa's own code. The
test (tests/rasa_runtime/test_turn_cost.py) compares the ensemble's prediction with
Rasa's for every tracker of whole recorded conversations and the test stories.

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, NamedTuple

from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine.constants import PLACEHOLDER_TRACKER
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT
from rasa.utils.tensorflow.constants import MODEL_CONFIDENCE, SOFTMAX

_original_run = DaskGraphRunner.run
PLAN_ATTRIBUTE = "_addon_policies_when_needed"
ENSEMBLE_FUNCTION = "combine_predictions_from_kwargs"
# The ensemble's own inputs; every other one is a policy's prediction.
ENSEMBLE_ARGUMENTS = ("tracker", "domain")


class Deferred(NamedTuple):
    """A policy that is run only when needed: its priority, and whether its prediction
    for a tracker may be end-to-end."""

    priority: int
    may_be_end_to_end: Callable[[DialogueStateTracker], bool]


def ted_may_be_end_to_end(ted: TEDPolicy, tracker: DialogueStateTracker) -> bool:
    """TED's own conditions for a text-based prediction (`_featurize_tracker`)."""
    return ted.only_e2e or (tracker.latest_action_name == ACTION_LISTEN_NAME
                            and TEXT in ted.fake_features)


def never(tracker: DialogueStateTracker) -> bool:
    return False


def deferred(policy: Any) -> Deferred | None:
    """How `policy` can be deferred, or None if it cannot (see the module docstring)."""
    if type(policy) is MemoizationPolicy and not policy.config["use_nlu_confidence_as_score"]:
        return Deferred(policy.priority, never)
    if type(policy) is TEDPolicy and policy.config.get(MODEL_CONFIDENCE) == SOFTMAX:
        return Deferred(policy.priority, functools.partial(ted_may_be_end_to_end, policy))
    return None


class Plan(NamedTuple):
    """How one prediction graph's ensemble node is run with policies deferred."""

    domain: str  # the node the ensemble's domain comes from
    first: tuple[str, ...]  # the policy nodes always run, in the ensemble's order
    deferred: dict[str, Deferred]


def _make_plan(runner: DaskGraphRunner, target: str) -> Plan | None:
    node = runner._graph_schema.nodes.get(target)
    if (node is None or node.uses is not DefaultPolicyPredictionEnsemble
            or node.fn != ENSEMBLE_FUNCTION
            or node.needs.get("tracker") != PLACEHOLDER_TRACKER or "domain" not in node.needs):
        return None
    first: list[str] = []
    later: dict[str, Deferred] = {}
    for argument, provider in node.needs.items():
        if argument in ENSEMBLE_ARGUMENTS:
            continue
        component = getattr(runner._instantiated_nodes.get(provider), "_component", None)
        how = deferred(component) if isinstance(component, Policy) else None
        if how is None:
            first.append(provider)
        else:
            later[provider] = how
    if not first or not later:
        return None
    return Plan(node.needs["domain"], tuple(first), later)


def plan_for(runner: DaskGraphRunner, target: str) -> Plan | None:
    """The plan for `target` of this runner's graph, worked out once."""
    plans: dict[str, Plan | None] = runner.__dict__.setdefault(PLAN_ATTRIBUTE, {})
    if target not in plans:
        plans[target] = _make_plan(runner, target)
    return plans[target]


def cannot_change(predictions: list[PolicyPrediction], later: list[Deferred],
                  tracker: DialogueStateTracker, domain: Domain) -> bool:
    """Would the ensemble choose the same whatever the `later` policies predicted?
    `predictions` are the other policies', in the ensemble's order."""
    copies = []
    for prediction in predictions:
        copied = copy.copy(prediction)
        copied.probabilities = list(prediction.probabilities)  # Rasa zeroes a rejected one
        copies.append(copied)
    best = DefaultPolicyPredictionEnsemble._best_policy_prediction(copies, tracker, domain)
    if best.is_no_user_prediction:
        return True
    if best.max_confidence < 1.0:
        return False
    return all(
        policy.priority < best.policy_priority
        and (best.is_end_to_end_prediction or not policy.may_be_end_to_end(tracker))
        for policy in later
    )


def run(self: DaskGraphRunner, inputs: dict[str, Any] | None = None,
        targets: list[str] | None = None) -> dict[str, Any]:
    plan = (plan_for(self, targets[0])
            if targets and len(targets) == 1 and inputs and set(inputs) == {PLACEHOLDER_TRACKER}
            else None)
    if plan is None or inputs is None or targets is None:
        return _original_run(self, inputs, targets)
    first = _original_run(self, inputs, [*plan.first, plan.domain])
    predictions = {name: first[name] for name in plan.first}
    given: dict[str, Any] = {**inputs, **predictions}
    if all(isinstance(p, PolicyPrediction) for p in predictions.values()) and cannot_change(
            list(predictions.values()), list(plan.deferred.values()),
            inputs[PLACEHOLDER_TRACKER], first[plan.domain]):
        given.update(dict.fromkeys(plan.deferred))  # None: the ensemble drops it
    return _original_run(self, given, targets)


def install() -> None:
    DaskGraphRunner.run = run


def uninstall() -> None:
    """Rasa's own code again (for the test's comparisons)."""
    DaskGraphRunner.run = _original_run
