"""The walkthrough's steps, read from guidance_corpus/walkthrough.yml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

WALKTHROUGH_FILE = Path(__file__).resolve().parents[1] / "guidance_corpus" / "walkthrough.yml"


@dataclass(frozen=True)
class Step:
    slot: str
    label: str
    text: str
    looked_after_only: bool
    done_words: tuple[str, ...] = ()
    in_short: str = ""


@dataclass(frozen=True)
class Walkthrough:
    steps: tuple[Step, ...]
    tell_the_police: tuple[str, ...]

    def steps_for(self, looked_after: bool) -> list[Step]:
        return [s for s in self.steps if looked_after or not s.looked_after_only]

    def in_short(self) -> str:
        """The first checks, as the opening names them: "a, b, c and d"."""
        named = [s.in_short for s in self.steps if s.in_short]
        return " and ".join([", ".join(named[:-1]), named[-1]]) if len(named) > 1 \
            else "".join(named)

    def step(self, slot: str) -> Step:
        return next(s for s in self.steps if s.slot == slot)


@lru_cache
def load_walkthrough(path: Path = WALKTHROUGH_FILE) -> Walkthrough:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = tuple(
        Step(s["slot"], s["label"], s["text"], bool(s["looked_after_only"]),
             tuple(s.get("done_words") or ()), str(s.get("in_short") or ""))
        for s in data["steps"]
    )
    return Walkthrough(steps, tuple(data["tell_the_police"]))
