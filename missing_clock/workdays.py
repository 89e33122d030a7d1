"""Working-day arithmetic for "within 5 working days after the 72 hour deadline is met".

The guidance does not define "working day". We take the meaning Birmingham's offices
work to: Monday to Friday, not counting bank holidays in England (computed by the
`holidays` package, substitute days included). Replies name any bank holiday that moved
a deadline, so nobody is told a meeting is due on Christmas Day and nobody is surprised
that the date is later than five weekdays.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from .timeutil import LONDON, local_midnight, require_aware


@lru_cache(maxsize=16)
def _england(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holiday(day: date) -> str | None:
    """The name of the bank holiday in England on ``day``, if it is one."""
    return _england(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and bank_holiday(day) is None


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day *after* ``day`` (``day`` itself is not counted)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    current, done = day, 0
    while done < count:
        current += timedelta(days=1)
        if is_working_day(current):
            done += 1
    return current


def bank_holidays_between(first: date, last: date) -> list[date]:
    """Weekday bank holidays from ``first`` to ``last`` inclusive: the days that moved a
    working-day deadline (a bank holiday at a weekend moves nothing)."""
    days, current = [], first
    while current <= last:
        if current.weekday() < 5 and bank_holiday(current):
            days.append(current)
        current += timedelta(days=1)
    return days


def working_days_deadline(start: datetime, count: int) -> datetime:
    """End of the ``count``-th working day after the local day of ``start``.

    Returned as the aware instant of the following local midnight, so "by the end of
    Friday" is one unambiguous instant even on a clock-change weekend.
    """
    local_day = require_aware(start, "start").astimezone(LONDON).date()
    last = add_working_days(local_day, count)
    return local_midnight(last + timedelta(days=1))
