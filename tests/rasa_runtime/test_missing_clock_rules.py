"""Deadlines and statuses from missing_clock.rules, with exact boundary values."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from guidance_corpus.loader import CORPUS_DIR, load_corpus, load_corpus_uncached
from missing_clock import (
    DEADLINES,
    LONDON,
    CorpusMismatch,
    LastSeenInFuture,
    Milestone,
    add_working_days,
    assess,
    load_deadlines,
    working_days_deadline,
)

H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def lon(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON)


def by_name(milestones: list[Milestone]) -> dict[str, Milestone]:
    return {m.name: m for m in milestones}


# --------------------------------------------------------------------------- corpus link


def test_deadlines_are_read_from_the_corpus() -> None:
    amounts = {name: (d.record_id, d.unit, d.amount) for name, d in DEADLINES.items()}
    assert amounts == {
        "lac_notify_director": ("lac-not-found-48-hours", "hours", 48),
        "lac_strategy_meeting_trigger": ("lac-strategy-meeting-72-hours", "hours", 72),
        "lac_strategy_meeting_window": ("lac-strategy-meeting-72-hours", "working_days", 5),
        "lac_early_strategy_meeting": ("lac-early-strategy-meeting", "hours", 72),
        "return_interview": ("return-interview", "hours", 72),
        "social_worker_visit": ("social-worker-sees-child-three-days", "days", 3),
        "mash_red_strategy_meeting": ("mash-rag-rating", "hours", 4),
        "mash_amber_discussion": ("mash-rag-rating", "hours", 24),
    }


def _corpus_copy(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    for name in ("documents.yml", "contacts.yml"):
        shutil.copy(CORPUS_DIR / name, root / name)
    shutil.copytree(CORPUS_DIR / "records", root / "records")
    return root


def test_changed_corpus_amount_raises(tmp_path: Path) -> None:
    root = _corpus_copy(tmp_path)
    record = root / "records" / "lac-not-found-48-hours.yml"
    text = record.read_text(encoding="utf-8")
    assert "{hours: 48, from: child going missing}" in text
    record.write_text(text.replace("{hours: 48,", "{hours: 24,"), encoding="utf-8")
    with pytest.raises(CorpusMismatch, match="says 24 hours"):
        load_deadlines(load_corpus_uncached(root))


def test_removed_corpus_deadline_raises(tmp_path: Path) -> None:
    root = _corpus_copy(tmp_path)
    record = root / "records" / "mash-rag-rating.yml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("    deadline: {hours: 4, from: red rating}\n", ""), "utf-8")
    with pytest.raises(CorpusMismatch, match="mash_red_strategy_meeting"):
        load_deadlines(load_corpus_uncached(root))


def test_unchanged_copy_loads(tmp_path: Path) -> None:
    assert load_deadlines(load_corpus_uncached(_corpus_copy(tmp_path))) == DEADLINES


def test_every_source_record_exists() -> None:
    seen = lon(2026, 11, 18, 10)
    now = seen + 80 * H
    records = load_corpus().records
    cases = [
        assess(seen, now, True, concerns=True, mash_rating="red", mash_rated_at=now),
        assess(seen, now, True, returned_at=now - H, mash_rating="amber"),
        assess(seen, now, False, returned_at=now, mash_rating="green"),
        assess(seen, now, False),
    ]
    for milestones in cases:
        for m in milestones:
            assert m.source_record in records, m.name
            assert m.status in {"done", "due", "overdue", "upcoming"}


# --------------------------------------------------------------------------- 48 hours


SEEN = lon(2026, 11, 20, 18)  # Friday 18:00 GMT


def test_48h_notification_upcoming_at_47_59() -> None:
    m = by_name(assess(SEEN, SEEN + 48 * H - MIN, looked_after=True))["notify_executive_director"]
    assert m.status == "upcoming"
    assert m.due == lon(2026, 11, 22, 18)
    assert m.source_record == "lac-not-found-48-hours"
    assert "Sunday 22 November, 18:00" in m.description


def test_48h_notification_due_at_48_00_and_stays_due() -> None:
    for now in (SEEN + 48 * H, SEEN + 71 * H, SEEN + 200 * H):
        m = by_name(assess(SEEN, now, looked_after=True))["notify_executive_director"]
        assert m.status == "due"
        assert m.due == lon(2026, 11, 22, 18)
        assert "Executive Director of Children's Services" in m.description


# --------------------------------------------------------------------------- 72 hours


def test_strategy_meeting_upcoming_at_71_59() -> None:
    m = by_name(assess(SEEN, SEEN + 72 * H - MIN, looked_after=True))["strategy_meeting"]
    assert m.status == "upcoming"
    assert m.opens == lon(2026, 11, 23, 18)  # Monday 18:00
    assert m.due == lon(2026, 12, 1)  # end of Monday 30 November (5 working days after)
    assert m.source_record == "lac-strategy-meeting-72-hours"


def test_strategy_meeting_due_at_72_00() -> None:
    m = by_name(assess(SEEN, SEEN + 72 * H, looked_after=True))["strategy_meeting"]
    assert m.status == "due"
    assert "by the end of Monday 30 November" in m.description


def test_strategy_meeting_window_across_weekend() -> None:
    seen = lon(2026, 11, 17, 20)  # Tuesday 20:00, so 72h point is Friday 20 Nov 20:00
    end = lon(2026, 11, 28)  # end of Friday 27 November: Mon-Fri after the weekend
    assert working_days_deadline(seen + 72 * H, 5) == end
    cases = {
        lon(2026, 11, 20, 19, 59): "upcoming",
        lon(2026, 11, 20, 20): "due",
        lon(2026, 11, 27, 23, 59): "due",
        lon(2026, 11, 28): "due",
        lon(2026, 11, 28, 0, 1): "overdue",
    }
    for now, status in cases.items():
        m = by_name(assess(seen, now, looked_after=True))["strategy_meeting"]
        assert (m.status, m.due) == (status, end), now


def test_72h_point_on_a_saturday_counts_from_monday() -> None:
    assert working_days_deadline(lon(2026, 11, 21, 10), 5) == lon(2026, 11, 28)


def test_add_working_days() -> None:
    assert add_working_days(lon(2026, 11, 20).date(), 5) == lon(2026, 11, 27).date()
    assert add_working_days(lon(2026, 11, 23).date(), 5) == lon(2026, 11, 30).date()
    assert add_working_days(lon(2026, 11, 22).date(), 1) == lon(2026, 11, 23).date()
    with pytest.raises(ValueError):
        add_working_days(lon(2026, 11, 22).date(), 0)


def test_bank_holidays_in_england_are_not_working_days() -> None:
    # Monday 31 August 2026 is the late summer bank holiday.
    assert add_working_days(lon(2026, 8, 28).date(), 1) == lon(2026, 9, 1).date()
    # Good Friday 3 April and Easter Monday 6 April 2026.
    assert add_working_days(lon(2026, 4, 2).date(), 1) == lon(2026, 4, 7).date()


def test_strategy_meeting_over_christmas_names_the_bank_holidays() -> None:
    # 72-hour point Thursday 24 December 2026, 20:00. Friday 25 and Monday 28 December
    # (Boxing Day's substitute) and Friday 1 January 2027 are bank holidays; Saturday
    # 26 December is one too but moves nothing, so it is not named.
    seen = lon(2026, 12, 21, 20)
    m = by_name(assess(seen, lon(2026, 12, 25, 9), looked_after=True))["strategy_meeting"]
    assert m.due == lon(2027, 1, 6)
    assert "by the end of Tuesday 5 January 2027" in m.description
    assert (
        "not counting the bank holidays on Friday 25 December, Monday 28 December and "
        "Friday 1 January 2027" in m.description
    )
    assert "26 December" not in m.description


def test_no_bank_holiday_note_when_none_falls_in_the_window() -> None:
    m = by_name(assess(lon(2026, 11, 20, 10), lon(2026, 11, 23, 11), True))["strategy_meeting"]
    assert "bank holiday" not in m.description


# --------------------------------------------------------------------------- clock changes


def test_48h_across_march_clock_change() -> None:
    seen = lon(2026, 3, 28, 12)  # Saturday 12:00 GMT; clocks go forward Sunday 29 March
    point = lon(2026, 3, 30, 13)  # 48 elapsed hours later is 13:00 BST
    # Python subtracts same-zone datetimes as wall-clock time (49h), so compare in UTC.
    assert point.astimezone(timezone.utc) - seen.astimezone(timezone.utc) == 48 * H
    assert point.astimezone(LONDON).utcoffset() == H
    before = by_name(assess(seen, lon(2026, 3, 30, 12, 59), True))["notify_executive_director"]
    at = by_name(assess(seen, point, True))["notify_executive_director"]
    assert (before.status, at.status) == ("upcoming", "due")
    assert at.due == point
    assert "Monday 30 March, 13:00" in before.description


def test_48h_across_october_clock_change() -> None:
    seen = lon(2026, 10, 24, 12)  # Saturday 12:00 BST; clocks go back Sunday 25 October
    point = lon(2026, 10, 26, 11)  # 48 elapsed hours later is 11:00 GMT
    assert point.astimezone(timezone.utc) - seen.astimezone(timezone.utc) == 48 * H
    before = by_name(assess(seen, lon(2026, 10, 26, 10, 59), True))["notify_executive_director"]
    at = by_name(assess(seen, point, True))["notify_executive_director"]
    assert (before.status, at.status) == ("upcoming", "due")
    assert at.due == point
    assert at.due.utcoffset() == timedelta(0)
    assert "Monday 26 October, 11:00" in before.description


def test_72h_across_october_clock_change() -> None:
    seen = lon(2026, 10, 23, 12)  # Friday 12:00 BST -> 72h point Monday 26 Oct 11:00 GMT
    m = by_name(assess(seen, lon(2026, 10, 26, 10, 59), True))["strategy_meeting"]
    assert m.status == "upcoming"
    assert m.opens == lon(2026, 10, 26, 11)
    assert m.due == lon(2026, 11, 3)  # end of Monday 2 November


# --------------------------------------------------------------------------- early meeting


def test_early_strategy_meeting_with_concerns() -> None:
    m = by_name(assess(SEEN, SEEN + H, True, concerns=True))["early_strategy_meeting"]
    assert (m.status, m.due, m.opens) == ("due", SEEN + 72 * H, SEEN)
    assert m.source_record == "lac-early-strategy-meeting"
    at = by_name(assess(SEEN, SEEN + 72 * H, True, concerns=True))["early_strategy_meeting"]
    late = by_name(assess(SEEN, SEEN + 72 * H + MIN, True, concerns=True))
    assert (at.status, late["early_strategy_meeting"].status) == ("due", "overdue")


def test_no_early_meeting_without_concerns() -> None:
    assert "early_strategy_meeting" not in by_name(assess(SEEN, SEEN + H, True))


# --------------------------------------------------------------------------- parent route


def test_missing_from_home_has_no_looked_after_clocks() -> None:
    milestones = assess(SEEN, SEEN + 100 * H, looked_after=False, concerns=True)
    assert [m.name for m in milestones] == ["police_lead"]
    assert milestones[0].status == "due"
    assert milestones[0].due is None
    assert milestones[0].source_record == "parent-carer-reporting"
    assert "police" in milestones[0].description


# --------------------------------------------------------------------------- return


def test_return_interview_72h_boundary() -> None:
    back = SEEN + 10 * H
    due = back + 72 * H
    at = by_name(assess(SEEN, due, False, returned_at=back))
    late = by_name(assess(SEEN, due + MIN, False, returned_at=back))
    assert at["return_interview"].due == due == lon(2026, 11, 24, 4)
    assert at["return_interview"].status == "due"
    assert late["return_interview"].status == "overdue"
    assert at["return_interview"].source_record == "return-interview"


def test_social_worker_sees_child_within_three_days() -> None:
    back = SEEN + 10 * H
    m = by_name(assess(SEEN, back + 72 * H, True, returned_at=back))["social_worker_visit"]
    assert (m.status, m.due) == ("due", back + 72 * H)
    assert m.source_record == "social-worker-sees-child-three-days"
    late = by_name(assess(SEEN, back + 72 * H + MIN, True, returned_at=back))
    assert late["social_worker_visit"].status == "overdue"


def test_return_milestones_for_child_missing_from_home() -> None:
    back = SEEN + 5 * H
    names = [m.name for m in assess(SEEN, back + H, False, returned_at=back)]
    assert names == ["safe_and_well_check", "return_interview", "social_worker_visit"]


def test_looked_after_return_before_48h_drops_missing_clocks() -> None:
    back = SEEN + 47 * H
    names = [m.name for m in assess(SEEN, SEEN + 60 * H, True, returned_at=back)]
    assert names == [
        "safe_and_well_check",
        "return_interview",
        "social_worker_visit",
        "lac_return_notifications",
    ]


def test_looked_after_return_after_72h_marks_clocks_done() -> None:
    back = SEEN + 73 * H
    m = by_name(assess(SEEN, SEEN + 74 * H, True, returned_at=back))
    assert m["notify_executive_director"].status == "done"
    assert m["strategy_meeting"].status == "done"
    assert "Check" in m["notify_executive_director"].description


def test_looked_after_return_between_48h_and_72h() -> None:
    m = by_name(assess(SEEN, SEEN + 100 * H, True, returned_at=SEEN + 50 * H))
    assert m["notify_executive_director"].status == "done"
    assert "strategy_meeting" not in m


# --------------------------------------------------------------------------- MASH RAG


def test_mash_red_4h() -> None:
    rated = lon(2026, 11, 22, 20)
    at = by_name(assess(SEEN, rated + 4 * H, False, mash_rating="RED", mash_rated_at=rated))
    late = by_name(assess(SEEN, rated + 4 * H + MIN, False, mash_rating="red", mash_rated_at=rated))
    m = at["mash_red_strategy_meeting"]
    assert (m.status, m.due) == ("due", lon(2026, 11, 23, 0))
    assert late["mash_red_strategy_meeting"].status == "overdue"
    assert m.source_record == "mash-rag-rating"


def test_mash_amber_24h() -> None:
    rated = lon(2026, 11, 22, 9)
    at = by_name(assess(SEEN, rated + 24 * H, True, mash_rating="amber", mash_rated_at=rated))
    late = by_name(
        assess(SEEN, rated + 24 * H + MIN, True, mash_rating="amber", mash_rated_at=rated)
    )
    assert (at["mash_amber_discussion"].status, at["mash_amber_discussion"].due) == (
        "due",
        lon(2026, 11, 23, 9),
    )
    assert late["mash_amber_discussion"].status == "overdue"


def test_mash_green_and_unknown_rating_time() -> None:
    now = SEEN + H
    green = by_name(assess(SEEN, now, False, mash_rating="green"))["mash_green_support"]
    assert (green.status, green.due) == ("due", None)
    red = by_name(assess(SEEN, now, False, mash_rating="red"))["mash_red_strategy_meeting"]
    assert (red.status, red.due) == ("due", None)
    assert "within 4 hours of the rating" in red.description
    with pytest.raises(ValueError):
        assess(SEEN, now, False, mash_rating="purple")


# --------------------------------------------------------------------------- bad input


def test_last_seen_in_future_raises() -> None:
    with pytest.raises(LastSeenInFuture):
        assess(SEEN + MIN, SEEN, looked_after=True)
    assert assess(SEEN, SEEN, looked_after=True)[0].status == "upcoming"


def test_naive_and_inconsistent_times_raise() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        assess(datetime(2026, 11, 20, 18), SEEN + H, True)
    with pytest.raises(ValueError, match="returned_at"):
        assess(SEEN, SEEN + H, True, returned_at=SEEN - H)
    with pytest.raises(ValueError, match="returned_at"):
        assess(SEEN, SEEN + H, True, returned_at=SEEN + 2 * H)
