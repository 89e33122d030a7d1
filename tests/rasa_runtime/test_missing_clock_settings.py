"""Office hours: an assumed default (the guidance does not define them)."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from missing_clock import LONDON, OFFICE_HOURS, is_office_hours, office_hours_note
from missing_clock.settings import OfficeHours, office_hours_from_env, parse_office_hours


def lon(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


def test_default_is_mon_fri_9_to_5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OFFICE_HOURS", raising=False)
    assert office_hours_from_env() == OfficeHours(0, 4, time(9), time(17))


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (lon(2026, 11, 20, 16, 59), True),  # Friday 16:59
        (lon(2026, 11, 20, 17, 0), False),  # Friday 17:00
        (lon(2026, 11, 21, 12, 0), False),  # Saturday
        (lon(2026, 11, 23, 9, 0), True),  # Monday 09:00
        (lon(2026, 11, 23, 8, 59), False),  # Monday 08:59
        (datetime(2026, 6, 1, 8, 30, tzinfo=LONDON).astimezone(LONDON), False),
    ],
)
def test_boundaries(when: datetime, expected: bool) -> None:
    hours = parse_office_hours("Mon-Fri 09:00-17:00")
    assert is_office_hours(when, hours) is expected


def test_summer_time_uses_london_clock() -> None:
    hours = parse_office_hours("Mon-Fri 09:00-17:00")
    utc_0830 = datetime.fromisoformat("2026-06-01T08:30:00+00:00")  # 09:30 BST, Monday
    assert is_office_hours(utc_0830, hours) is True
    utc_1630 = datetime.fromisoformat("2026-06-05T16:30:00+00:00")  # 17:30 BST, Friday
    assert is_office_hours(utc_1630, hours) is False


def test_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFICE_HOURS", "Mon-Sat 08:30-18:00")
    hours = office_hours_from_env()
    assert hours == OfficeHours(0, 5, time(8, 30), time(18))
    assert is_office_hours(lon(2026, 11, 21, 12), hours) is True
    assert "does not define office hours" in office_hours_note(hours)
    assert "Monday to Saturday, 08:30-18:00" in office_hours_note(hours)


@pytest.mark.parametrize(
    "spec",
    [
        "weekdays 9-5",
        "Fri-Mon 09:00-17:00",
        "Mon-Fri 17:00-09:00",
        "Mon-Fri 09:00-25:00",
        "Xyz-Fri 09:00-17:00",
    ],
)
def test_bad_spec_raises(spec: str) -> None:
    with pytest.raises(ValueError, match="OFFICE_HOURS"):
        parse_office_hours(spec)


def test_module_default_and_naive_refused() -> None:
    assert isinstance(OFFICE_HOURS, OfficeHours)
    assert "does not define office hours" in office_hours_note()
    with pytest.raises(ValueError):
        is_office_hours(datetime(2026, 11, 20, 12))
