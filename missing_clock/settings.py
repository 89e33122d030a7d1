"""Office hours, used to decide whether to mention the Emergency Duty Team.

The practice guidance refers to "normal office hours" (e.g. the carer notifies the
Emergency Duty Team if a looked after child goes missing outside them) but never defines
them. ``OFFICE_HOURS`` is therefore an ASSUMPTION of this assistant, and the bot must say
so whenever its answer depends on it (``office_hours_note``; its words are the copy's
``clock.office_hours_note``).

Default: Monday to Friday, 09:00-17:00 Europe/London. Override with the environment
variable ``OFFICE_HOURS``, e.g. ``OFFICE_HOURS="Mon-Fri 08:30-17:30"``. A malformed
value raises at import: silently falling back could send a carer to the wrong service.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, time

from .timeutil import LONDON, require_aware

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC_RE = re.compile(
    r"^\s*(?P<d1>[a-z]{3})\s*[-–]\s*(?P<d2>[a-z]{3})\s+"
    r"(?P<t1>\d{2}:\d{2})\s*[-–]\s*(?P<t2>\d{2}:\d{2})\s*$",
    re.IGNORECASE,
)

DEFAULT_OFFICE_HOURS = "Mon-Fri 09:00-17:00"


@dataclass(frozen=True)
class OfficeHours:
    first_day: int  # Monday = 0
    last_day: int
    opens: time
    closes: time  # exclusive: 17:00 itself is outside office hours

    def contains(self, when: datetime) -> bool:
        local = require_aware(when, "when").astimezone(LONDON)
        return (
            self.first_day <= local.weekday() <= self.last_day
            and self.opens <= local.time().replace(tzinfo=None) < self.closes
        )

    def describe(self) -> str:
        names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        return (
            f"{names[self.first_day]} to {names[self.last_day]}, "
            f"{self.opens:%H:%M}-{self.closes:%H:%M}"
        )


def parse_office_hours(spec: str) -> OfficeHours:
    """Parse "Mon-Fri 09:00-17:00". Raises ``ValueError`` with the bad value quoted."""
    match = _SPEC_RE.match(spec)
    if not match:
        raise ValueError(f"OFFICE_HOURS {spec!r}: expected a value like 'Mon-Fri 09:00-17:00'")
    try:
        first = _DAYS.index(match["d1"].lower())
        last = _DAYS.index(match["d2"].lower())
        opens = time.fromisoformat(match["t1"])
        closes = time.fromisoformat(match["t2"])
    except ValueError as exc:
        raise ValueError(f"OFFICE_HOURS {spec!r}: {exc}") from exc
    if first > last or opens >= closes:
        raise ValueError(f"OFFICE_HOURS {spec!r}: days and times must run forwards")
    return OfficeHours(first, last, opens, closes)


def office_hours_from_env() -> OfficeHours:
    return parse_office_hours(os.environ.get("OFFICE_HOURS", DEFAULT_OFFICE_HOURS))


OFFICE_HOURS: OfficeHours = office_hours_from_env()


def is_office_hours(dt: datetime, hours: OfficeHours | None = None) -> bool:
    """True if aware ``dt`` falls inside the assumed office hours (Europe/London)."""
    return (hours or OFFICE_HOURS).contains(dt)


def office_hours_note(hours: OfficeHours | None = None) -> str:
    """The sentence the bot must say whenever office hours matter to an answer."""
    from .copy import say  # the copy needs the corpus, which these settings do not

    return say("clock.office_hours_note", spec=(hours or OFFICE_HOURS).describe())
