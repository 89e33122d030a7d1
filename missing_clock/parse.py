"""Turn a carer's free-text "last seen" answer into an aware Europe/London datetime.

A small rule layer handles the phrases dateparser gets wrong or treats too literally
(parts of the day, "last night about 11", weekday names, "N hours ago" across a clock
change); anything else falls through to dateparser. Every default we fill in (a part of
the day, an am/pm guess, "about") sets ``vague`` so the bot reads the time back and the
carer can correct it: the deadlines are only as good as this one time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .copy import say
from .timeutil import LONDON, UTC, format_elapsed, format_local, localise, require_aware


@dataclass(frozen=True)
class LastSeen:
    when: datetime  # aware, Europe/London
    in_future: bool  # later than ``now``: the bot must ask again
    vague: bool  # a default or approximate time was used: confirm it
    text: str  # what the carer typed


# Default hours for vague parts of the day; chosen for the assistant, not from the guidance.
PART_OF_DAY_HOURS: dict[str, int] = {"morning": 9, "afternoon": 15, "evening": 19, "night": 22,
                                     "lunchtime": 12, "teatime": 17, "bedtime": 21}
# How a bare hour is read in each of the named times of day ("teatime about 5" is 17:00).
PART_READ_AS: dict[str, str] = {"lunchtime": "afternoon", "teatime": "evening",
                                "bedtime": "night"}

_NUMBER_WORDS: dict[str, float] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a couple of": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
}
_WEEKDAY_NAMES: dict[str, int] = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
# Words that carry no date information once the rule layer has taken the rest.
_FILLER = frozenset(
    (
        "since",
        "at",
        "on",
        "from",
        "about",
        "around",
        "roughly",
        "approximately",
        "approx",
        "ish",
        "just",
        "after",
        "before",
        "the",
        "last",
        "seen",
        "he",
        "she",
        "they",
        "was",
        "were",
        "left",
        "went",
        "out",
        "gone",
        "missing",
        "by",
        "in",
        "of",
        "it",
        "and",
        "o'clock",
        "oclock",
        "or",
        "so",
    )
)
_APPROX_RE = re.compile(
    r"\b(about|around|roughly|approx(?:imately)?|ish|or so|after|before)\b|\d(?=ish\b)"
)

_NUM = (
    r"\d+(?:\.\d+)?|a couple of|couple of|a few|few|an|a|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|eleven|twelve"
)
_AGO_RE = re.compile(
    rf"^(?:(?P<half1>half an hour)|(?P<n>{_NUM})\s+(?P<unit>minute|min|hour|hr|day|week)s?"
    r"(?P<half2>\s+and\s+a\s+half)?)\s+ago$"
)
_DATE_RE = re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{2}|\d{4}))?\b")
_WEEKDAY_RE = re.compile(
    r"\b(?:last\s+|on\s+|this\s+past\s+)?(?P<wd>"
    + "|".join(sorted(_WEEKDAY_NAMES, key=len, reverse=True))
    + r")\b"
)
_DAYREF_RE = re.compile(
    r"\b(?P<ref>the day before yesterday|day before yesterday|yesterday|today|tonight|"
    r"last night|this morning|this afternoon|this evening)\b"
)
_PART_RE = re.compile(r"\b(?P<part>morning|afternoon|evening|night|lunchtime|teatime|bedtime)\b")
_CLOCK_RE = re.compile(
    r"\b(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?=\W|$)"  # 6pm
    r"|\b(?P<h24>\d{1,2})[:.](?P<m24>\d{2})\b"  # 18:00
    r"|\b(?P<hb>\d{1,2})(?:ish)?\b"  # a bare hour: "about 11", "at 9"
    r"|\b(?P<word>noon|midday|midnight)\b"
)
_TIME_HINT_RE = re.compile(r"\d[:.]\d\d|\d\s*(?:am|pm|a\.m|p\.m)|noon|midday|midnight|o'?clock")


@dataclass
class _Clock:
    hour: int
    minute: int
    explicit: bool  # am/pm or 24-hour given, so no guessing is needed


def parse_last_seen(text: str, now: datetime) -> LastSeen | None:
    """Parse ``text`` relative to ``now`` (aware). ``None`` when no time can be found.

    A day with no time at all ("since Friday") also gives ``None``: inventing a time
    would move every deadline, so the bot must ask for one.
    """
    now_local = require_aware(now, "now").astimezone(LONDON)
    cleaned = _normalise(text)
    if not cleaned:
        return None
    vague = bool(_APPROX_RE.search(cleaned))
    result = _parse_ago(cleaned, now_local)
    if result is None:
        result = _parse_rules(cleaned, now_local)
    if result is None:
        result = _parse_with_dateparser(cleaned, now_local)
    if result is None:
        return None
    when, rule_vague = result
    return LastSeen(
        when=when.astimezone(LONDON),
        in_future=when > now_local,
        vague=vague or rule_vague,
        text=text,
    )


def since(last_seen: LastSeen, now: datetime) -> str:
    """ "Friday 21 November, 18:00 — 50 hours ago". Times are Europe/London, 24-hour;
    elapsed time is rounded down."""
    now_utc = require_aware(now, "now")
    return say(
        "clock.since",
        when=format_local(last_seen.when, now_utc, approx=last_seen.vague),
        elapsed=format_elapsed(now_utc - last_seen.when.astimezone(UTC)),
    )


def readback(last_seen: LastSeen, now: datetime) -> str:
    """A question for the carer to confirm, e.g. "So since Friday 21 November, 18:00 — 50
    hours ago?" (the copy's clock.readback)."""
    now_utc = require_aware(now, "now")
    if last_seen.in_future or last_seen.when > now_utc:
        return say(
            "clock.readback_later_than_now",
            when=format_local(last_seen.when, now_utc, approx=last_seen.vague),
        )
    return say("clock.readback", since=since(last_seen, now_utc))


# --------------------------------------------------------------------------- rule layer


def _normalise(text: str) -> str:
    cleaned = text.lower().replace("’", "'").replace("—", " ").replace("–", " ")
    cleaned = re.sub(r"[?!,;]", " ", cleaned)
    cleaned = re.sub(r"\.(?=\s|$)", " ", cleaned)  # full stops, not "6.30" or "p.m"
    cleaned = re.sub(r"\b(?:tea|lunch|bed) time\b", lambda m: m.group(0).replace(" ", ""), cleaned)
    cleaned = re.sub(r"^(?:since|from|last seen|they left|he left|she left)\b", " ", cleaned)
    return re.sub(r"\s+", " ", cleaned).strip()


def _parse_ago(cleaned: str, now: datetime) -> tuple[datetime, bool] | None:
    """ "50 hours ago", "half an hour ago", "2 days ago".

    Minutes and hours are elapsed time (subtracted in UTC) so a clock change is counted
    correctly; dateparser subtracts wall-clock time. Days and weeks are calendar days at
    the same local time, as people mean them, and are vague because no time was given.
    """
    body = re.sub(r"^(?:about|around|roughly|approximately|just over|over)\s+", "", cleaned)
    match = _AGO_RE.match(body)
    if not match:
        return None
    if match["half1"]:
        return now.astimezone(UTC) - timedelta(minutes=30), False
    raw = match["n"]
    amount = _NUMBER_WORDS[raw] if raw in _NUMBER_WORDS else float(raw)
    if match["half2"]:
        amount += 0.5
    unit = match["unit"]
    if unit in ("minute", "min"):
        return now.astimezone(UTC) - timedelta(minutes=amount), False
    if unit in ("hour", "hr"):
        return now.astimezone(UTC) - timedelta(hours=amount), False
    days = amount * (7 if unit == "week" else 1)
    if days != int(days):
        return now.astimezone(UTC) - timedelta(days=days), True
    wall = now.replace(tzinfo=None) - timedelta(days=int(days))
    return localise(wall), True


def _parse_rules(cleaned: str, now: datetime) -> tuple[datetime, bool] | None:
    """Day reference + part of day + clock time, e.g. "last night about 11"."""
    rest = cleaned
    day: date | None = None
    part: str | None = None
    day_given = False
    is_today_ref = False

    if m := _DATE_RE.search(rest):
        day = _resolve_date(int(m["d"]), int(m["m"]), m["y"], now.date())
        if day is None:
            return None
        day_given = True
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if m := _DAYREF_RE.search(rest):
        ref = m["ref"]
        rest = rest[: m.start()] + " " + rest[m.end() :]
        day_given = True
        if ref in ("the day before yesterday", "day before yesterday"):
            day = now.date() - timedelta(days=2)
        elif ref in ("yesterday", "last night"):
            day = now.date() - timedelta(days=1)
            part = "night" if ref == "last night" else None
        else:
            day = now.date()
            is_today_ref = True
            part = {"tonight": "night"}.get(ref, ref.removeprefix("this "))
            if ref == "today":
                part = None
    if day is None and (m := _WEEKDAY_RE.search(rest)):
        day = _last_weekday(_WEEKDAY_NAMES[m["wd"]], now.date())
        day_given = True
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if part is None and (m := _PART_RE.search(rest)):
        part = m["part"]
        rest = rest[: m.start()] + " " + rest[m.end() :]
    clock: _Clock | None = None
    if m := _CLOCK_RE.search(rest):
        clock = _clock_from_match(m)
        if clock is None:
            return None
        rest = rest[: m.start()] + " " + rest[m.end() :]

    leftovers = [w for w in rest.split() if w not in _FILLER]
    if leftovers:
        return None  # something we do not understand: let dateparser try
    if clock is None and part is None:
        return None  # a bare day ("since Friday"): the bot must ask for a time
    if day is None:
        day = now.date()
    return _combine(day, part, clock, now, day_given=day_given, is_today_ref=is_today_ref)


def _combine(
    day: date,
    part: str | None,
    clock: _Clock | None,
    now: datetime,
    *,
    day_given: bool,
    is_today_ref: bool,
) -> tuple[datetime, bool]:
    if clock is None:
        assert part is not None
        return localise(datetime.combine(day, time(PART_OF_DAY_HOURS[part]))), True
    hour, vague = clock.hour, False
    if clock.explicit and part == "night" and hour < 5:
        day += timedelta(days=1)  # "last night at 2am" is the small hours after that evening
    elif not clock.explicit:
        if part is not None:
            hour, day = _hour_for_part(hour, PART_READ_AS.get(part, part), day)
        elif not day_given:
            return _most_recent_bare_hour(hour, clock.minute, now), True
        else:
            # No am/pm and no part of day: 7-12 read as they stand, 1-6 as afternoon/evening.
            hour, vague = (hour + 12 if 1 <= hour <= 6 else hour), True
    when = localise(datetime.combine(day, time(hour, clock.minute)))
    if not day_given and not is_today_ref and when > now:
        # "at 11pm" typed at 01:00 means last night, not tonight.
        when = localise(datetime.combine(day - timedelta(days=1), time(hour, clock.minute)))
    return when, vague


def _hour_for_part(hour: int, part: str, day: date) -> tuple[int, date]:
    """Read a bare hour in the light of the part of day ("last night about 11" = 23:00)."""
    if part == "morning":
        return hour % 12, day
    if part == "afternoon":
        return (hour % 12) + 12, day
    if part == "evening":
        return (hour % 12) + 12 if hour != 12 else 0, day + timedelta(days=hour == 12)
    # night: 5-11 are evening hours; 12 is midnight and 1-4 the small hours of the next day
    if hour == 12:
        return 0, day + timedelta(days=1)
    if 1 <= hour <= 4:
        return hour, day + timedelta(days=1)
    return hour % 12 + 12, day


def _most_recent_bare_hour(hour: int, minute: int, now: datetime) -> datetime:
    """ "at 9" with no day or am/pm: the latest 09:00 or 21:00 that is not after ``now``."""
    candidates = []
    for back in (0, 1):
        day = now.date() - timedelta(days=back)
        for h in {hour % 12, hour % 12 + 12}:
            when = localise(datetime.combine(day, time(h, minute)))
            if when <= now:
                candidates.append(when)
    return max(candidates)


def _clock_from_match(m: re.Match[str]) -> _Clock | None:
    if m["word"]:
        return _Clock(0 if m["word"] == "midnight" else 12, 0, True)
    if m["h"]:
        hour, minute = int(m["h"]), int(m["m"] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        pm = m["ap"].startswith("p")
        return _Clock(hour % 12 + (12 if pm else 0), minute, True)
    if m["h24"]:
        hour, minute = int(m["h24"]), int(m["m24"])
        if hour > 23 or minute > 59:
            return None
        # "6.30" or "9:15" under 13 is still an am/pm guess; "18:00" or "00:30" is not.
        # "12:00" is noon (midnight would be written 00:00).
        return _Clock(hour, minute, hour in (0, 12) or hour >= 13 or m["h24"].startswith("0"))
    hour = int(m["hb"])
    if not 1 <= hour <= 12:
        return None
    return _Clock(hour, 0, False)


def _resolve_date(d: int, m: int, y: str | None, today: date) -> date | None:
    """dd/mm[/yy]; without a year, the most recent such date that is not after today."""
    try:
        if y is not None:
            year = int(y) + (2000 if len(y) == 2 else 0)
            return date(year, m, d)
        candidate = date(today.year, m, d)
        return candidate if candidate <= today else date(today.year - 1, m, d)
    except ValueError:
        return None


def _last_weekday(weekday: int, today: date) -> date:
    """The most recent *past* day with that name: "Friday" said on a Friday means a week
    ago. Over-counting is the safer error, and the read-back shows the date to correct."""
    back = (today.weekday() - weekday) % 7 or 7
    return today - timedelta(days=back)


def _parse_with_dateparser(cleaned: str, now: datetime) -> tuple[datetime, bool] | None:
    """Fallback for anything else ("21 November 6pm"). A result is only accepted when the
    text contains a clock time, because dateparser fills a missing time with midnight."""
    if not _TIME_HINT_RE.search(cleaned):
        return None
    # Imported here so the rules can be used where dateparser is not installed (API venv).
    import dateparser

    parsed = dateparser.parse(
        cleaned,
        languages=["en"],
        settings={
            "TIMEZONE": "Europe/London",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "DATE_ORDER": "DMY",
        },
    )
    if parsed is None:
        return None
    # Re-localise the wall-clock time with zoneinfo so ambiguous times follow our rule.
    wall = parsed.astimezone(LONDON).replace(tzinfo=None) if parsed.tzinfo else parsed
    return localise(wall), False
