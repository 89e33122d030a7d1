"""Which way an out-of-area placement goes, and the record that answers that way.

"A Birmingham child fostered in Worcestershire goes missing" and "a Sandwell child in a
Birmingham children's home goes missing" share nearly every word, so the voices of record
choice (guidance_corpus/fusion.py), which all count words, rank
placed-by-birmingham-elsewhere and placed-in-birmingham-by-another-authority the wrong way
round about as often as the right way. The direction is in who placed the child and where
the child lives now; this step reads it with the patterns in placement_direction.yml and,
only when it is clear and the fusion already ranks both records near the top, puts the
record for that direction ahead of its twin. Anything else is left exactly as fused.

Plain Python and PyYAML (no spaCy): it runs in the action server on every guidance question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from guidance_corpus.fusion import Choice, put_first

RULES_PATH = Path(__file__).resolve().parent / "placement_direction.yml"
DIRECTIONS = ("out", "in")
_NAME_RE = re.compile(r"<([a-z_]+)>")
Clues = dict[str, tuple[re.Pattern[str], ...]]  # direction -> its patterns


@dataclass(frozen=True)
class Rules:
    records: dict[str, str]  # direction -> the record that answers it
    about_placements: frozenset[str]  # records on other questions about such placements
    not_about_missing: frozenset[str]  # ...of them, those that do not answer a missing child
    missing: re.Pattern[str]  # the message says the child is missing
    within: int
    strong: Clues
    weak: Clues


def _expand(pattern: str, names: Mapping[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            raise ValueError(f"{RULES_PATH.name}: <{match.group(1)}> is not under names:")
        return names[match.group(1)]

    return _NAME_RE.sub(one, pattern)


def _compile(clues: Mapping[str, list[str]], names: Mapping[str, str]) -> Clues:
    if set(clues) != set(DIRECTIONS):
        raise ValueError(f"{RULES_PATH.name}: clues must be given for exactly {DIRECTIONS}")
    return {
        direction: tuple(re.compile(_expand(p, names)) for p in patterns)
        for direction, patterns in clues.items()
    }


@lru_cache(maxsize=1)
def direction_rules(path: Path = RULES_PATH) -> Rules:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    # In the file's order, so a name can use any name listed before it.
    for name, alternatives in data["names"].items():
        names[name] = "(?:" + "|".join(_expand(a, names) for a in alternatives) + ")"
    return Rules(
        records=dict(data["records"]),
        about_placements=frozenset(data["about_placements"]),
        not_about_missing=frozenset(data["not_about_missing"]),
        missing=re.compile(data["missing"], re.IGNORECASE),
        within=int(data["within"]),
        strong=_compile(data["strong"], names),
        weak=_compile(data["weak"], names),
    )


def _plain(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _shown(clues: Clues, text: str) -> list[str]:
    return [d for d in DIRECTIONS if any(p.search(text) for p in clues[d])]


def placement_direction(text: str) -> str | None:
    """"out" (placed by Birmingham elsewhere), "in" (placed in Birmingham by another
    authority), or None when the message does not say, or its clues point both ways.
    Weak clues ("our child", "placed with us") count only when there is no strong one."""
    text = _plain(text)
    found = direction_rules()
    shown = _shown(found.strong, text) or _shown(found.weak, text)
    return shown[0] if len(shown) == 1 else None


def names_a_placement_across_boundary(text: str) -> bool:
    """Whether the message clearly names a placement across a council boundary (a strong
    clue either way: "placed with us by Wolverhampton", "fostered in Worcestershire")."""
    return bool(_shown(direction_rules().strong, _plain(text)))


def _names_placement_first(order: list[str], found: Rules, text: str) -> bool:
    """A strong clue names the placement, and the best record is about no placement."""
    placements = found.about_placements | set(found.records.values())
    if found.missing.search(text):
        placements -= found.not_about_missing
    return order[0] not in placements and names_a_placement_across_boundary(text)


def direction_first(ranked: list[Choice], text: str) -> list[Choice]:
    """``ranked`` (fused, best first) with the record for the placement's direction just
    ahead of its twin, when the direction is clear and the twin is among the best
    ``within`` and ahead of it: the fusion has seen an out-of-area placement, only the
    direction is wrong. Then, if it is among the best ``within`` behind a record about no
    placement, first. The records it passes move one place down; each place keeps its
    score, so the list stays in score order for best_and_close."""
    direction = placement_direction(text)
    if direction is None:
        return ranked
    found = direction_rules()
    right = found.records[direction]
    twin = next(rid for d, rid in found.records.items() if d != direction)
    order = [c.record_id for c in ranked]
    if twin in order[: found.within] and right in order:
        at, was = order.index(twin), order.index(right)
        if was > at:
            order.insert(at, order.pop(was))
            ranked = [replace(place, record_id=rid)
                      for place, rid in zip(ranked, order, strict=True)]
    if right in order[1: found.within] and _names_placement_first(order, found, text):
        # "A Birmingham child in care, living in a home in Coventry, missing overnight":
        # the message clearly names the placement, yet a record about nothing of the
        # kind came first. The direction's record answers it.
        return put_first(ranked, right)
    return ranked
