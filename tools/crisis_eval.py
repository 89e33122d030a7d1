"""Measure the safety route on the crisis and ordinary test sets (issue 4).

Every message in tests/safety/crisis_messages.yml must raise the `crisis` intent and
none in tests/safety/ordinary_messages.yml should. This prints recall (crisis messages
caught), the false-alarm rate (ordinary messages wrongly raised) and lists each miss
and false alarm.

Usage (with .venv-rasa/bin/python, from the checkout root):
    python -m tools.crisis_eval --model models/model-XXXX.tar.gz   # the trained model
    python -m tools.crisis_eval --spacy-only build/spacy_pipeline  # spaCy patterns only

Both exit 1 when recall < --min-recall or false alarms > --max-false-alarms.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "tests" / "safety"
CRISIS_FILE = SETS / "crisis_messages.yml"
ORDINARY_FILE = SETS / "ordinary_messages.yml"
CRISIS_INTENT = "crisis"
KINDS = ("danger", "self_harm", "abuse", "trafficking", "no_safe_place")

# Issue 4 targets for the trained model.
MIN_RECALL = 0.98
MAX_FALSE_ALARMS = 0.05


@dataclass(frozen=True)
class CrisisMessage:
    text: str
    kind: str


@dataclass
class Result:
    crisis_total: int
    ordinary_total: int
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        if not self.crisis_total:
            return 0.0
        return (self.crisis_total - len(self.misses)) / self.crisis_total

    @property
    def false_alarm_rate(self) -> float:
        if not self.ordinary_total:
            return 0.0
        return len(self.false_alarms) / self.ordinary_total

    def passes(self, min_recall: float = MIN_RECALL,
               max_false_alarms: float = MAX_FALSE_ALARMS) -> bool:
        return self.recall >= min_recall and self.false_alarm_rate <= max_false_alarms

    def report(self) -> str:
        lines = [
            f"recall       {self.recall:.3f}  "
            f"({self.crisis_total - len(self.misses)}/{self.crisis_total} crisis messages)",
            f"false alarms {self.false_alarm_rate:.3f}  "
            f"({len(self.false_alarms)}/{self.ordinary_total} ordinary messages)",
        ]
        lines += [f"  MISS         {text}" for text in self.misses]
        lines += [f"  FALSE ALARM  {text}" for text in self.false_alarms]
        return "\n".join(lines)


def _messages(path: Path) -> list[Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError(f"{path}: expected a non-empty list under 'messages'")
    return messages


def load_crisis_messages(path: Path = CRISIS_FILE) -> list[CrisisMessage]:
    found = []
    for entry in _messages(path):
        if not isinstance(entry.get("text"), str):
            raise ValueError(f"{path}: {entry!r}: text must be a (quoted) string")
        message = CrisisMessage(text=entry["text"], kind=str(entry["kind"]))
        if message.kind not in KINDS:
            raise ValueError(f"{path}: unknown kind {message.kind!r} for {message.text!r}")
        found.append(message)
    return found


def load_ordinary_messages(path: Path = ORDINARY_FILE) -> list[str]:
    messages = _messages(path)
    for text in messages:
        # An unquoted `no` or `yes` is a YAML boolean, not the word someone typed.
        if not isinstance(text, str):
            raise ValueError(f"{path}: {text!r} is not a string; quote it")
    return messages


def evaluate(
    parse: Callable[[str], str],
    crisis: list[CrisisMessage] | None = None,
    ordinary: list[str] | None = None,
) -> Result:
    """Run `parse` (text -> intent name) over both sets and count crisis raised."""
    crisis = load_crisis_messages() if crisis is None else crisis
    ordinary = load_ordinary_messages() if ordinary is None else ordinary
    result = Result(crisis_total=len(crisis), ordinary_total=len(ordinary))
    for message in crisis:
        if parse(message.text) != CRISIS_INTENT:
            result.misses.append(message.text)
    for text in ordinary:
        if parse(text) == CRISIS_INTENT:
            result.false_alarms.append(text)
    return result


def spacy_parser(pipeline: Path | str) -> Callable[[str], str]:
    """A parse function for the spaCy route alone (SafetyOverride's check)."""
    import spacy

    from rasa_addons.safety_override import crisis_types

    nlp = spacy.load(pipeline)
    return lambda text: CRISIS_INTENT if crisis_types(nlp, text) else ""


def kind_mismatches(pipeline: Path | str) -> list[tuple[str, str, list[str]]]:
    """Crisis messages the spaCy route raises under another kind than expected."""
    import spacy

    from rasa_addons.safety_override import crisis_types

    nlp = spacy.load(pipeline)
    mismatches = []
    for message in load_crisis_messages():
        kinds = crisis_types(nlp, message.text)
        if kinds and message.kind not in kinds:
            mismatches.append((message.text, message.kind, kinds))
    return mismatches


def parse_data_parser(model: Path | str) -> Callable[[str], dict[str, Any]]:
    """A function giving a trained Rasa model's whole parse of a text (intent, entities,
    response selector), in this process."""
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Used as a library, Rasa's structured log prints every parse at debug level.
    configure_structlog(logging.WARNING)
    # The pipeline's components name build/spacy_pipeline relative to the checkout.
    os.chdir(ROOT)
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    return lambda text: loop.run_until_complete(agent.parse_message(text))


def intent_parser(parse_data: Callable[[str], dict[str, Any]]) -> Callable[[str], str]:
    """The intent name from a whole-parse function."""
    return lambda text: (parse_data(text).get("intent") or {}).get("name") or ""


def model_parser(model: Path | str) -> Callable[[str], str]:
    """A parse function for a trained Rasa model (the whole NLU pipeline): the intent."""
    return intent_parser(parse_data_parser(model))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", type=Path, help="trained Rasa model (.tar.gz)")
    source.add_argument("--spacy-only", type=Path, metavar="PIPELINE",
                        help="spaCy pipeline directory (patterns only, no classifier)")
    parser.add_argument("--min-recall", type=float, default=MIN_RECALL)
    parser.add_argument("--max-false-alarms", type=float, default=MAX_FALSE_ALARMS)
    args = parser.parse_args(argv)

    if args.model is not None:
        parse = model_parser(args.model.resolve())
        print(f"route: trained model {args.model}")
    else:
        parse = spacy_parser(args.spacy_only)
        print(f"route: spaCy patterns only ({args.spacy_only})")
    result = evaluate(parse)
    print(result.report())
    if args.spacy_only is not None:
        for text, expected, kinds in kind_mismatches(args.spacy_only):
            print(f"  KIND         {text}  (expected {expected}, got {', '.join(kinds)})")
    return 0 if result.passes(args.min_recall, args.max_false_alarms) else 1


if __name__ == "__main__":
    sys.exit(main())
