"""Time-zone helpers shared by the parser and the rules.

Everything is computed on aware datetimes in UTC and only *shown* in Europe/London, so a
clock change inside a missing episode never shifts an elapsed-hours deadline: "48 hours"
is 48 elapsed hours, not 48 hours of wall-clock time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def require_aware(value: datetime, name: str) -> datetime:
    """Return ``value`` in UTC; naive datetimes are refused because their zone is a guess."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC)


def localise(naive: datetime) -> datetime:
    """Attach Europe/London to a naive wall-clock time and normalise it.

    Ambiguous times (01:00-01:59 on the last Sunday of October happen twice) take the
    first, BST, occurrence (fold=0): that is the earlier instant, so elapsed time is
    never under-counted. Non-existent times (01:00-01:59 on the last Sunday of March)
    are pushed forward by the round trip through UTC, e.g. 01:30 becomes 02:30 BST.
    """
    aware = naive.replace(tzinfo=LONDON, fold=0)
    return aware.astimezone(UTC).astimezone(LONDON)


def local_midnight(day: date) -> datetime:
    """The aware instant at which ``day`` starts in Europe/London."""
    return localise(datetime.combine(day, time(0, 0)))


def format_local(value: datetime, now: datetime | None = None, *, approx: bool = False) -> str:
    """UK style, 24-hour clock: "Friday 21 November, 18:00" (year added if not this year)."""
    local = value.astimezone(LONDON)
    return f"{format_day(local.date(), now)}, {'about ' if approx else ''}{local:%H:%M}"


def format_day(day: date, now: datetime | None = None) -> str:
    """E.g. "Friday 27 November" (year added if not the year of ``now``)."""
    text = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    if now is not None and now.astimezone(LONDON).year != day.year:
        text += f" {day.year}"
    return text


def format_deadline(value: datetime, now: datetime | None = None) -> str:
    """Like :func:`format_local`, but a deadline at local midnight reads "the end of <day>"."""
    local = value.astimezone(LONDON)
    if local.hour == 0 and local.minute == 0:
        return f"the end of {format_day(local.date() - timedelta(days=1), now)}"
    return format_local(value, now)


def _plural(amount: int, unit: str) -> str:
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def format_elapsed(delta: timedelta) -> str:
    """Elapsed time rounded down: minutes under an hour, hours up to 72, then days and hours."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return _plural(minutes, "minute")
    hours = minutes // 60
    if hours <= 72:
        return _plural(hours, "hour")
    days, rest = divmod(hours, 24)
    if rest == 0:
        return _plural(days, "day")
    return f"{_plural(days, 'day')} and {_plural(rest, 'hour')}"
