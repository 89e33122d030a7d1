"""Working-day arithmetic for "within 5 working days after the 72 hour deadline is met".

Working days are Monday to Friday. Bank holidays are NOT skipped: the guidance does not
define "working day", and counting a bank holiday as a working day can only bring the
deadline earlier, never later, which is the safer error for a missing child. The bot
should say that bank holidays may move the real date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .timeutil import LONDON, local_midnight, require_aware


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th Monday-Friday day *after* ``day`` (``day`` itself is not counted)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    current, done = day, 0
    while done < count:
        current += timedelta(days=1)
        if current.weekday() < 5:
            done += 1
    return current


def working_days_deadline(start: datetime, count: int) -> datetime:
    """End of the ``count``-th working day after the local day of ``start``.

    Returned as the aware instant of the following local midnight, so "by the end of
    Friday" is one unambiguous instant even on a clock-change weekend.
    """
    local_day = require_aware(start, "start").astimezone(LONDON).date()
    last = add_working_days(local_day, count)
    return local_midnight(last + timedelta(days=1))
