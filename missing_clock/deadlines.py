"""Deadlines read from the guidance corpus, which stays the single source of truth.

Each rule names the corpus record (and the deadline's unit and "from") it relies on and
the amount this code was written against. :func:`load_deadlines` reads the amount from
the corpus and raises :class:`CorpusMismatch` if it differs or has gone: if someone
changes "48 hours" in the corpus, the rules must be reviewed, not silently recomputed.
It runs at import, so a mismatch stops the bot from starting, and again in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from guidance_corpus.loader import Corpus, CorpusError, load_corpus


class CorpusMismatch(RuntimeError):
    """The corpus no longer says what the missing-clock rules were written against."""


@dataclass(frozen=True)
class RuleDeadline:
    record_id: str
    unit: str  # hours | days | working_days
    amount: int
    start: str  # the corpus "from" text, e.g. "child going missing"

    def as_timedelta(self) -> timedelta:
        """Elapsed time. "days" are 24-hour periods (so "three days of their return" is
        72 elapsed hours); working days need a calendar and are handled in rules.py."""
        if self.unit == "hours":
            return timedelta(hours=self.amount)
        if self.unit == "days":
            return timedelta(days=self.amount)
        raise ValueError(f"{self.unit} is not a fixed length of time")


# rule name -> (record id, unit, expected amount, corpus "from")
EXPECTED: dict[str, tuple[str, str, int, str]] = {
    "lac_notify_director": ("lac-not-found-48-hours", "hours", 48, "child going missing"),
    "lac_strategy_meeting_trigger": (
        "lac-strategy-meeting-72-hours",
        "hours",
        72,
        "child going missing",
    ),
    "lac_strategy_meeting_window": (
        "lac-strategy-meeting-72-hours",
        "working_days",
        5,
        "72 hour deadline",
    ),
    "lac_early_strategy_meeting": (
        "lac-early-strategy-meeting",
        "hours",
        72,
        "child going missing",
    ),
    "return_interview": ("return-interview", "hours", 72, "return"),
    "social_worker_visit": ("social-worker-sees-child-three-days", "days", 3, "return"),
    "mash_red_strategy_meeting": ("mash-rag-rating", "hours", 4, "red rating"),
    "mash_amber_discussion": ("mash-rag-rating", "hours", 24, "amber rating"),
}


def load_deadlines(corpus: Corpus | None = None) -> dict[str, RuleDeadline]:
    """Read every rule's deadline from ``corpus``; raise :class:`CorpusMismatch` on drift."""
    corpus = corpus or load_corpus()
    found: dict[str, RuleDeadline] = {}
    for name, (record_id, unit, amount, start) in EXPECTED.items():
        try:
            deadline = corpus.deadline(record_id, unit, start)
        except CorpusError as error:
            raise CorpusMismatch(f"rule {name}: {error}") from error
        if deadline.amount != amount:
            raise CorpusMismatch(
                f"rule {name}: record {record_id!r} says {deadline.amount} {unit}, "
                f"the rules were written for {amount}; review missing_clock/rules.py"
            )
        found[name] = RuleDeadline(record_id, unit, deadline.amount, start)
    return found


DEADLINES: dict[str, RuleDeadline] = load_deadlines()

#: Records whose deadlines run from the child going missing. A question answered from one
#: of them that also says when the child went ("missing 3 days, isn't there a meeting?")
#: can be counted for that episode.
EPISODE_RECORDS: frozenset[str] = frozenset(
    rule.record_id for rule in DEADLINES.values() if rule.start == "child going missing"
)

# Steps with no numeric deadline in the corpus still cite their record.
SOURCES: dict[str, str] = {
    "police_lead": "parent-carer-reporting",
    "safe_and_well_check": "safe-and-well-check",
    "lac_return_notifications": "lac-returning",
    "mash_green_support": "mash-rag-rating",
}


def check_sources(corpus: Corpus | None = None) -> None:
    """Raise :class:`CorpusMismatch` if a cited record without a deadline has gone."""
    corpus = corpus or load_corpus()
    for name, record_id in SOURCES.items():
        if record_id not in corpus.records:
            raise CorpusMismatch(f"step {name}: corpus record {record_id!r} is missing")


check_sources()
