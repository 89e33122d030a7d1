"""The clock's sentences: entries under ``clock.`` in bot/copy/everyone.yml, rendered by
guidance_corpus/wording.py with the deadlines read from the corpus (deadlines.py), so a
sentence is reworded in the copy and a number changed in the record, never here."""

from __future__ import annotations

from typing import Any

from guidance_corpus.wording import Wording, wording

from .deadlines import DEADLINES


def copy() -> Wording:
    return wording(tuple(sorted((name, rule.amount) for name, rule in DEADLINES.items())))


def say(name: str, **values: Any) -> str:
    """A clock sentence (the same for every audience: the clock speaks to adults)."""
    return copy().say(name, None, None, **values)
