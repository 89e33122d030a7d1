"""Run each graph run's nodes one after another, without dask's scheduler.

Rasa 3.6 runs the model's graph several times per message (parse the message, then
predict each next action) through `DaskGraphRunner`, which builds a dask graph of the
run's nodes and hands it to `dask.get`, dask's synchronous scheduler. Rasa's nodes are
called one at a time in this process either way; what dask adds is its scheduling:
ordering the graph (`dask.order`), a future, a queue and a lock per task, dependency
sets rebuilt every run. The profile in issue 13 (after the other savings) put about 9% of
Rasa's CPU in that scheduling, against about 47% in the nodes themselves.

`get_in_order` takes the same dask graph and keys and does what dask's `get` does with the
graphs Rasa builds (`DaskGraphRunner._build_dask_graph` and `_add_inputs_to_graph`):
- a task `(node, "name", ...)` is called with the results of the named entries, each
  computed first; a name that is not in the graph is passed as the string itself, as
  dask passes it;
- an input `("__message__", value)` (a tuple whose first item is not callable) is its own
  result;
- every entry of the graph is run once, needed by the keys or not (dask culls nothing
  here), dependencies before dependants; an exception from a node goes up unchanged;
- the result is a tuple of the keys' results, in the keys' order.
A graph of any other shape (a list or a nested task as an argument, a key that is not in
the graph, a cycle) goes to dask's own `get`. Rasa's nodes depend on each other through
their inputs (each NLU component takes the previous one's messages), so every node still
runs after what it reads; independent nodes (the policies) only read the tracker.

The test (tests/rasa_runtime/test_turn_cost.py) runs whole recorded conversations with
dask and with this and compares every reply, event and prediction.

`rasa_addons/serve.py` installs it in the Rasa process (Rasa's module only: nothing else
in the process uses dask).
"""

from __future__ import annotations

import graphlib
import types
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import dask
import rasa.engine.runner.dask as rasa_runner

_dask_get: Callable[..., Any] = dask.get


def _order(graph: Mapping[Hashable, Any]) -> list[Hashable] | None:
    """Every key of `graph`, dependencies first; None if the graph is not of the shape
    described above."""
    needs: dict[Hashable, list[str]] = {}
    for key, entry in graph.items():
        if type(entry) is not tuple or not entry:
            return None
        arguments = entry[1:] if callable(entry[0]) else ()
        if any(type(argument) is not str for argument in arguments):
            return None
        needs[key] = [argument for argument in arguments if argument in graph]
    try:
        return list(graphlib.TopologicalSorter(needs).static_order())
    except graphlib.CycleError:
        return None  # let dask say so


def get_in_order(graph: Mapping[Hashable, Any], keys: Sequence[Hashable], **kwargs: Any
                 ) -> Any:
    """`dask.get(graph, keys)` for Rasa's graph runs, in order, without a scheduler."""
    order = (_order(graph)
             if not kwargs and isinstance(keys, list) and all(k in graph for k in keys)
             else None)
    if order is None:
        return _dask_get(graph, keys, **kwargs)
    results: dict[Hashable, Any] = {}
    for key in order:
        entry = graph[key]
        if callable(entry[0]):
            results[key] = entry[0](*(results[a] if a in graph else a for a in entry[1:]))
        else:
            results[key] = entry
    return tuple(results[key] for key in keys)


def install() -> None:
    rasa_runner.dask = types.SimpleNamespace(get=get_in_order)


def uninstall() -> None:
    rasa_runner.dask = dask
