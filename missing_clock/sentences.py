"""Find the last-seen time inside a sentence, and a "now" the person states.

`parse_last_seen` reads a time phrase ("Monday night around 10"); people write whole
sentences ("He went off Monday night around 10", "She was last seen on Monday at 6pm and
it's now Thursday evening"). This keeps only the words that carry time, clause by clause,
and hands the first clause that reads to `parse_last_seen`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from .parse import (
    _DAYREF_RE,
    _WEEKDAY_NAMES,
    _WEEKDAY_RE,
    PART_OF_DAY_HOURS,
    LastSeen,
    parse_last_seen,
)
from .timeutil import LONDON, localise, require_aware

_HOURS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_MINUTES = {"five": 5, "ten": 10, "quarter": 15, "a quarter": 15, "twenty": 20,
            "twenty five": 25, "twenty-five": 25, "half": 30}
_HOUR = r"\d{1,2}|" + "|".join(_HOURS)
_PAST_RE = re.compile(
    rf"\b(?P<min>{'|'.join(sorted(_MINUTES, key=len, reverse=True))}|\d{{1,2}})\s+"
    rf"(?P<dir>past|to)\s+(?P<hour>{_HOUR})\b"
)
_WORD_HOUR_RE = re.compile(
    rf"\b(?P<hour>{'|'.join(_HOURS)})(?=\s*(?:o'?clock|am|pm|a\.m|p\.m|tonight|this|last|"
    r"yesterday|in the|at night|ish\b))"
)
_AT_WORD_HOUR_RE = re.compile(
    rf"\b(?P<pre>at|about|around|gone|after|before)\s+(?P<hour>{'|'.join(_HOURS)})\b(?!\s+times)"
)
_BEEN_RE = re.compile(
    r"\b(?:been|for|over|past|nearly|almost|missing|gone|away)\s+"
    r"(?:about\s+|around\s+|roughly\s+|over\s+|nearly\s+|almost\s+)?"
    r"(?P<n>\d+(?:\.\d+)?|a couple of|a few|two|three|four|five|six)\s+(?P<unit>hours?|days?)\b"
)
_AGO_RE = re.compile(
    r"\b(?:about\s+|around\s+|roughly\s+|just over\s+|over\s+)?(?:\d+(?:\.\d+)?|a couple of|"
    r"couple of|a few|few|an|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"\s+(?:minute|min|hour|hr|day|week)s?(?:\s+and\s+a\s+half)?\s+ago\b|\bhalf an hour ago\b"
)
# Words that can carry time; everything else in a clause is dropped.
_TIME_WORDS = frozenset(
    {"since", "at", "on", "about", "around", "roughly", "approximately", "ish", "last",
     "night", "morning", "afternoon", "evening", "lunchtime", "teatime", "bedtime",
     "yesterday", "today", "tonight", "this", "the", "day", "before", "am", "pm", "a.m",
     "p.m", "noon", "midday", "midnight", "o'clock", "oclock", "ago"}
    | set(_WEEKDAY_NAMES)
)
_TOKEN_RE = re.compile(r"\d{1,2}[:.]\d{2}(?:am|pm)?|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}(?:am|pm)|"
                       r"\d+|[a-z.']+")
_CLAUSES_RE = re.compile(r"[,;]|\band\b|\bbut\b|\bwhen\b|\bthen\b|\bso\b|\bwho\b|\bbecause\b")
_NOW_RE = re.compile(
    r"(?:,|\band\b|\bbut\b)?\s*(?:it'?s|it is|its)\s+now\s+(?P<now>[^.,;]+)|"
    r"(?:,|\band\b)?\s*now\s+it'?s\s+(?P<now2>[^.,;]+)|"
    r"(?:,|\band\b)?\s*(?:it'?s|it is|its)\s+(?P<now3>(?:"
    + "|".join(_WEEKDAY_NAMES)
    + r")\s+(?:morning|afternoon|evening|night)|(?:\d{1,2}(?::\d\d)?\s*(?:am|pm)))\s+now\b"
)


def _normalise(text: str) -> str:
    cleaned = text.lower().replace("’", "'")
    cleaned = re.sub(r"\b(tea|lunch|bed) time\b", r"\1time", cleaned)
    cleaned = re.sub(r"\bafter tea\b", "teatime", cleaned)

    def past(m: re.Match[str]) -> str:
        raw_min, hour_raw = m["min"], m["hour"]
        minutes = _MINUTES.get(raw_min, int(raw_min) if raw_min.isdigit() else 0)
        hour = _HOURS.get(hour_raw) or int(hour_raw)
        if m["dir"] == "to":
            hour, minutes = (hour - 1) or 12, 60 - minutes
        return f"{hour}:{minutes:02d}"

    cleaned = _PAST_RE.sub(past, cleaned)
    cleaned = _WORD_HOUR_RE.sub(lambda m: str(_HOURS[m["hour"]]), cleaned)
    cleaned = _AT_WORD_HOUR_RE.sub(lambda m: f"{m['pre']} {_HOURS[m['hour']]}", cleaned)
    return cleaned


def _keep(token: str) -> bool:
    if token in _TIME_WORDS:
        return True
    # A bare number over 12 is an age or a house number, not an hour.
    return token[0].isdigit() and not (token.isdigit() and int(token) > 12)


# A count, not a clock time: "about 3 days", "2 weeks", "(15) year old". Taken out before
# the time words are kept, or "on tuesday night ... about 3 days" reads as 3 a.m.
_COUNT_RE = re.compile(
    r"\b\d+(?:\.\d+)?\)?\s*(?:days?|nights?|hours?|hrs?|weeks?|wks?|months?|years?|yrs?|"
    r"y/?o|times?|mins?|minutes?|episodes?)\b"
)


def _time_words(clause: str) -> str:
    clause = _COUNT_RE.sub(" ", clause)
    tokens = (t if t in ("a.m", "p.m") else t.strip(".") for t in _TOKEN_RE.findall(clause))
    return " ".join(t for t in tokens if t and _keep(t))


def _has_time(phrase: str) -> bool:
    """A day, a part of the day, a clock time or "ago": more than a stray number."""
    return bool(re.search(r"[a-z]", phrase))


def find_last_seen(text: str, now: datetime, *, strict: bool = False) -> LastSeen | None:
    """The time in a sentence ("He went off Monday night around 10"), relative to `now`.

    `strict` (for words said in passing, not in answer to "when?") also needs a day,
    part of day, am/pm or "ago": a bare number in a sentence is not a time.
    """
    now_local = require_aware(now, "now").astimezone(LONDON)
    cleaned = _normalise(text)
    if not strict and (found := parse_last_seen(cleaned, now_local)) is not None:
        return found
    if m := _AGO_RE.search(cleaned):
        return parse_last_seen(m.group(0), now_local)
    if m := _BEEN_RE.search(cleaned):
        return parse_last_seen(f"{m['n']} {m['unit']} ago", now_local)
    for clause in [cleaned, *_CLAUSES_RE.split(cleaned)]:
        phrase = _time_words(clause or "")
        if not phrase or not _has_time(phrase):
            continue
        if strict and not (_DAYREF_RE.search(phrase) or _WEEKDAY_RE.search(phrase)
                           or re.search(r"\d\s*(?:am|pm)|o'?clock|ago", phrase)):
            continue
        if (found := parse_last_seen(phrase, now_local)) is not None:
            return found
    return None


@dataclass(frozen=True)
class StatedNow:
    when: datetime  # the "now" the person gave, Europe/London
    rest: str  # the sentence without it


def stated_now(text: str, now: datetime) -> StatedNow | None:
    """ "... and it's now Thursday evening": the person's own now, when they state one.

    A weekday is the most recent one, today included; a part of the day takes its
    default hour. None when the sentence states no now, or one later than the clock.
    """
    cleaned = _normalise(text)
    match = _NOW_RE.search(cleaned)
    if not match:
        return None
    phrase = (match["now"] or match["now2"] or match["now3"] or "").strip()
    now_local = require_aware(now, "now").astimezone(LONDON)
    day = now_local.date()
    if wd := _WEEKDAY_RE.search(phrase):
        day = day - timedelta(days=(day.weekday() - _WEEKDAY_NAMES[wd["wd"]]) % 7)
    rest = (cleaned[: match.start()] + " " + cleaned[match.end():]).strip()
    part = next((p for p in PART_OF_DAY_HOURS if re.search(rf"\b{p}\b", phrase)), None)
    clock = re.search(r"\b(?P<h>\d{1,2})(?::(?P<m>\d\d))?\s*(?P<ap>am|pm)\b", phrase)
    if clock:
        hour = int(clock["h"]) % 12 + (12 if clock["ap"] == "pm" else 0)
        when = localise(datetime.combine(day, time(hour, int(clock["m"] or 0))))
    elif part is not None:
        when = localise(datetime.combine(day, time(PART_OF_DAY_HOURS[part])))
        if day == now_local.date() and when > now_local:
            when = now_local  # "it's now Thursday evening" said at 17:30 on Thursday
    elif wd:
        when = now_local if day == now_local.date() else localise(
            datetime.combine(day, time(12)))
    else:
        return None
    if when > now_local + timedelta(minutes=5):
        return None
    return StatedNow(when.astimezone(LONDON), rest)
