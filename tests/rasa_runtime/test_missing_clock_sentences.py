"""The last-seen time inside a sentence, and a "now" the person states."""

from __future__ import annotations

from datetime import datetime

import pytest

from missing_clock import LONDON, find_last_seen, stated_now

NOW = datetime(2026, 12, 1, 21, 0, tzinfo=LONDON)  # a Tuesday evening


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He went off Monday night around 10.", "Mon 30 22:00"),
        ("She's been missing since yesterday teatime.", "Mon 30 17:00"),
        ("she was last seen about 8 o'clock last night", "Mon 30 20:00"),
        ("She was last at the club on Saturday evening.", "Sat 28 19:00"),
        ("About half past eight last night, she went out after tea.", "Mon 30 20:30"),
        ("She was last seen on Friday afternoon when she left school at about ten past three.",
         "Fri 27 15:10"),
        ("He went out at about seven tonight and said he'd be back by ten.", "Tue 01 19:00"),
        ("it was about 1am last night", "Tue 01 01:00"),
        ("Yes, it's been about 50 hours now.", "Sun 29 19:00"),
        ("He was last seen about 50 hours ago.", "Sun 29 19:00"),
        ("my foster son who is 14 went missing last night around 11pm", "Mon 30 23:00"),
        ("quarter to nine this morning", "Tue 01 08:45"),
    ],
)
def test_times_inside_sentences(text: str, expected: str) -> None:
    found = find_last_seen(text, NOW)
    assert found is not None
    assert found.when.strftime("%a %d %H:%M") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my foster daughter has been missing 3 days, isnt there a meeting?", "Sat 28 21:00"),
        ("hes been gone 50 hours now", "Sun 29 19:00"),
        ("she's been away nearly two days", "Sun 29 21:00"),
        # A count beside a day is not a clock time: not 3 a.m. on Saturday.
        ("we reported it on friday night, so about 3 days", "Fri 27 22:00"),
        ("our 15 year old went off on sunday evening", "Sun 29 19:00"),
    ],
)
def test_how_long_missing_said_in_passing(text: str, expected: str) -> None:
    found = find_last_seen(text, NOW, strict=True)
    assert found is not None
    assert found.when.strftime("%a %d %H:%M") == expected


@pytest.mark.parametrize("text", ["she has gone missing 3 times this month",
                                  "he was away for a school trip"])
def test_how_often_is_not_how_long(text: str) -> None:
    assert find_last_seen(text, NOW, strict=True) is None


@pytest.mark.parametrize("text", ["22 Elmwood Road", "I've rung her about ten times",
                                  "she's 14", "her phone is switched off"])
def test_no_time_in_passing_from_numbers_alone(text: str) -> None:
    assert find_last_seen(text, NOW, strict=True) is None


def test_a_stated_now_is_counted_from() -> None:
    stated = stated_now("She was last seen on Monday at 6pm and it's now Thursday evening", NOW)
    assert stated is not None
    assert stated.when.strftime("%a %d %H:%M") == "Thu 26 19:00"
    seen = find_last_seen(stated.rest, stated.when)
    assert seen is not None and seen.when.strftime("%a %d %H:%M") == "Mon 23 18:00"


def test_a_stated_now_today_is_not_later_than_the_clock() -> None:
    early = datetime(2026, 12, 1, 17, 30, tzinfo=LONDON)
    stated = stated_now("since 2pm, it's now Tuesday evening", early)
    assert stated is not None and stated.when == early


def test_no_stated_now() -> None:
    assert stated_now("since Monday at 6pm", NOW) is None
