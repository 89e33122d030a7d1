"""Free-text last-seen parsing and read-back, against a fixed ``now``."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from missing_clock import LONDON, LastSeen, parse_last_seen, readback

NOW = datetime(2026, 11, 22, 20, 0, tzinfo=LONDON)  # Sunday 22 November 2026, 20:00 GMT


def lon(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


# text -> (when, in_future, vague)
CASES: dict[str, tuple[datetime, bool, bool]] = {
    "50 hours ago": (lon(2026, 11, 20, 18), False, False),
    "2 days ago": (lon(2026, 11, 20, 20), False, True),
    "since Friday at 6pm": (lon(2026, 11, 20, 18), False, False),
    "friday 6pm": (lon(2026, 11, 20, 18), False, False),
    "yesterday evening": (lon(2026, 11, 21, 19), False, True),
    "last night about 11": (lon(2026, 11, 21, 23), False, True),
    "this morning": (lon(2026, 11, 22, 9), False, True),
    "at 3pm": (lon(2026, 11, 22, 15), False, False),
    "half an hour ago": (lon(2026, 11, 22, 19, 30), False, False),
    "since 21/11 at 18:00": (lon(2026, 11, 21, 18), False, False),
    "an hour ago": (lon(2026, 11, 22, 19), False, False),
    "tonight at 9": (lon(2026, 11, 22, 21), True, False),
    # further phrases the rule layer covers
    "last night": (lon(2026, 11, 21, 22), False, True),
    "this afternoon": (lon(2026, 11, 22, 15), False, True),
    "Last night at 2am.": (lon(2026, 11, 22, 2), False, False),
    "yesterday at 6": (lon(2026, 11, 21, 18), False, True),
    "at 9": (lon(2026, 11, 22, 9), False, True),
    "since about 6ish": (lon(2026, 11, 22, 18), False, True),
    "sat 18:30": (lon(2026, 11, 21, 18, 30), False, False),
    "20 minutes ago": (lon(2026, 11, 22, 19, 40), False, False),
    "an hour and a half ago": (lon(2026, 11, 22, 18, 30), False, False),
    "since 21/11/2026 at 07:15": (lon(2026, 11, 21, 7, 15), False, False),
    "since 30/11 at 18:00": (lon(2025, 11, 30, 18), False, False),  # not yet this year
    "21 November at 6pm": (lon(2026, 11, 21, 18), False, False),  # via dateparser
}


@pytest.mark.parametrize("text", list(CASES))
def test_phrases(text: str) -> None:
    when, in_future, vague = CASES[text]
    result = parse_last_seen(text, NOW)
    assert result == LastSeen(when=when, in_future=in_future, vague=vague, text=text)
    assert result.when.tzinfo == LONDON
    assert result.when.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["since Friday", "yesterday", "banana", "", "at 25:00"])
def test_no_time_gives_none(text: str) -> None:
    assert parse_last_seen(text, NOW) is None


def test_weekday_named_today_means_a_week_ago() -> None:
    friday = lon(2026, 11, 20, 20)
    assert parse_last_seen("since Friday at 6pm", friday).when == lon(2026, 11, 13, 18)


def test_late_time_typed_after_midnight_means_last_night() -> None:
    now = lon(2026, 11, 23, 1)
    assert parse_last_seen("at 11pm", now).when == lon(2026, 11, 22, 23)
    assert parse_last_seen("today at 11pm", now).in_future is True


def test_this_morning_before_nine_is_future() -> None:
    result = parse_last_seen("this morning", lon(2026, 11, 22, 7))
    assert (result.when, result.in_future) == (lon(2026, 11, 22, 9), True)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_last_seen("an hour ago", datetime(2026, 11, 22, 20))


# --------------------------------------------------------------------------- clock changes


def test_hours_ago_is_elapsed_time_across_march_change() -> None:
    now = lon(2026, 3, 30, 14)  # Monday 14:00 BST (13:00 UTC)
    result = parse_last_seen("50 hours ago", now)
    assert result.when == datetime(2026, 3, 28, 11, tzinfo=LONDON)  # 11:00 GMT, not 12:00
    assert readback(result, now) == "So since Saturday 28 March, 11:00 — 50 hours ago?"


def test_readback_across_march_change() -> None:
    now = lon(2026, 3, 30, 13)
    result = parse_last_seen("since saturday at 12:00", now)
    assert result.when == lon(2026, 3, 28, 12)
    assert readback(result, now) == "So since Saturday 28 March, 12:00 — 48 hours ago?"


def test_readback_across_october_change() -> None:
    now = lon(2026, 10, 26, 11)  # Monday 11:00 GMT
    result = parse_last_seen("since saturday at 12:00", now)
    assert result.when.utcoffset() == timedelta(hours=1)  # Saturday was still BST
    assert readback(result, now) == "So since Saturday 24 October, 12:00 — 48 hours ago?"


def test_ambiguous_october_time_takes_the_earlier_bst_instant() -> None:
    now = lon(2026, 10, 25, 12)
    result = parse_last_seen("at 01:30", now)
    assert result.when.utcoffset() == timedelta(hours=1)
    assert readback(result, now) == "So since Sunday 25 October, 01:30 — 11 hours ago?"


# --------------------------------------------------------------------------- readback


def test_readback_formats() -> None:
    def back(when: datetime, vague: bool = False) -> str:
        return readback(LastSeen(when, False, vague, "x"), NOW)

    assert back(lon(2026, 11, 20, 18)) == "So since Friday 20 November, 18:00 — 50 hours ago?"
    assert back(lon(2026, 11, 22, 19, 30)) == (
        "So since Sunday 22 November, 19:30 — 30 minutes ago?"
    )
    assert back(lon(2026, 11, 22, 19)) == "So since Sunday 22 November, 19:00 — 1 hour ago?"
    assert back(lon(2026, 11, 22, 18, 1)) == (
        "So since Sunday 22 November, 18:01 — 1 hour ago?"  # 1h59m rounds down
    )
    assert back(lon(2026, 11, 19, 20)) == "So since Thursday 19 November, 20:00 — 72 hours ago?"
    assert back(lon(2026, 11, 19, 18)) == (
        "So since Thursday 19 November, 18:00 — 3 days and 2 hours ago?"
    )
    assert back(lon(2026, 11, 18, 20)) == "So since Wednesday 18 November, 20:00 — 4 days ago?"
    assert back(lon(2026, 11, 21, 19), vague=True) == (
        "So since Saturday 21 November, about 19:00 — 25 hours ago?"
    )
    assert back(lon(2025, 12, 31, 23)) == (
        "So since Wednesday 31 December 2025, 23:00 — 325 days and 21 hours ago?"
    )


def test_readback_future() -> None:
    result = parse_last_seen("tonight at 9", NOW)
    assert readback(result, NOW) == (
        "Sunday 22 November, 21:00 is later than now. When was the child last seen?"
    )
