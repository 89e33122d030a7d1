"""Work out each graph run's part of the model's graph once, not on every run.

Rasa 3.6 runs the trained model's graph several times per message (parse the message,
predict each next action), and every run starts with `GraphSchema.minimal_graph_schema`:
the nodes the run's targets depend on. `_all_dependencies_schema` walks the needs
recursively without remembering a node it has seen, so a node reached by several paths
(the tokenizer, the featurizers, the domain provider) is walked once per path, every
run. The profile in issue 13 (after the other savings) put about 5% of Rasa's CPU
there.

A served model's graph does not change, and neither does the part that a list of
targets needs, so this keeps Rasa's own answer per graph and targets. The result is only
read (`DaskGraphRunner._build_dask_graph` builds a new dask graph from its nodes each
run), and it is kept on the schema itself, so it goes when the schema goes (a new
model is a new schema).

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

from rasa.engine.graph import GraphSchema

_original = GraphSchema.minimal_graph_schema
ATTRIBUTE = "_addon_minimal_schemas"


def minimal_graph_schema(self: GraphSchema, targets: list[str] | None = None) -> GraphSchema:
    if targets is None:
        return _original(self, targets)
    kept: dict[tuple[str, ...], GraphSchema] = self.__dict__.setdefault(ATTRIBUTE, {})
    key = tuple(targets)
    if key not in kept:
        kept[key] = _original(self, targets)
    return kept[key]


def install() -> None:
    GraphSchema.minimal_graph_schema = minimal_graph_schema


def uninstall() -> None:
    GraphSchema.minimal_graph_schema = _original
