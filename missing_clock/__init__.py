"""The "missing clock": last-seen parsing and guidance deadlines, in plain Python.

No Rasa imports, so actions, the API and tests can all use it. Deadlines come from the
guidance corpus (``guidance_corpus``) and are checked against it at import.
"""

from __future__ import annotations

from .deadlines import (
    DEADLINES,
    EPISODE_RECORDS,
    CorpusMismatch,
    RuleDeadline,
    load_deadlines,
)
from .parse import LastSeen, parse_last_seen, readback
from .rules import LastSeenInFuture, Milestone, assess
from .sentences import StatedNow, find_last_seen, stated_now
from .settings import (
    OFFICE_HOURS,
    OfficeHours,
    is_office_hours,
    office_hours_note,
    parse_office_hours,
)
from .timeutil import LONDON
from .workdays import add_working_days, working_days_deadline

__all__ = [
    "DEADLINES",
    "EPISODE_RECORDS",
    "LONDON",
    "OFFICE_HOURS",
    "CorpusMismatch",
    "LastSeen",
    "LastSeenInFuture",
    "Milestone",
    "OfficeHours",
    "RuleDeadline",
    "StatedNow",
    "add_working_days",
    "assess",
    "find_last_seen",
    "is_office_hours",
    "load_deadlines",
    "office_hours_note",
    "parse_last_seen",
    "parse_office_hours",
    "readback",
    "stated_now",
    "working_days_deadline",
]
