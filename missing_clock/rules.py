"""What should happen, and by when, for a child missing from home or care.

Status meanings (all times are elapsed time computed in UTC):

* ``upcoming`` - the trigger has not been reached yet; ``due`` is when it will be.
* ``due`` - the trigger has been reached and the action is owed now. For a window with
  an end (strategy meeting, return interview) it stays ``due`` up to and including
  ``due``; for an action with no end in the guidance (the 48-hour notification, the safe
  and well check) it stays ``due`` and never becomes ``overdue``.
* ``overdue`` - the end of the window has passed (``now > due``).
* ``done`` - the child has returned after this point was reached, so this clock has
  stopped. It does NOT mean anyone acted: the description asks the carer to check.

Milestones whose trigger was never reached before the child returned are left out.
``due`` is the deadline the guidance sets, or the trigger time for actions owed "once X
hours have passed"; ``opens`` is when the action became owed. Both are aware datetimes in
Europe/London (or ``None`` where the guidance gives no time).

Reading of the guidance: the 48- and 72-hour points count as reached at exactly 48:00 and
72:00 (the safer reading of "not found within 48 hours" / "more than 72 hours"). These
looked-after rules do not apply to a child missing from home: the police lead and contact
the MASH if necessary. The early strategy meeting is in the looked-after section of the
guidance, so ``concerns`` only affects looked after children.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .copy import say
from .deadlines import DEADLINES, SOURCES
from .timeutil import LONDON, UTC, format_day, format_deadline, format_local, require_aware
from .workdays import bank_holidays_between, working_days_deadline

MASH_RATINGS = frozenset({"red", "amber", "green"})


def _bank_holiday_note(start: datetime, end: datetime, now: datetime) -> str:
    """" (not counting the bank holidays on ...)" when bank holidays moved a deadline."""
    # Counting starts the day after ``start``; ``end`` is the midnight after the last day.
    first = start.astimezone(LONDON).date() + timedelta(days=1)
    last = end.astimezone(LONDON).date() - timedelta(days=1)
    names = [format_day(day, now) for day in bank_holidays_between(first, last)]
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f" (not counting the bank holiday{'s' if len(names) > 1 else ''} on {listed})"


class LastSeenInFuture(ValueError):
    """The last-seen time is after ``now``: the bot should ask for it again."""


@dataclass(frozen=True)
class Milestone:
    name: str
    description: str  # one plain sentence or two, for a carer
    due: datetime | None
    status: str  # done | due | overdue | upcoming
    source_record: str  # guidance corpus record id, for the citation
    opens: datetime | None = None


def assess(
    last_seen: datetime,
    now: datetime,
    looked_after: bool,
    returned_at: datetime | None = None,
    concerns: bool = False,
    mash_rating: str | None = None,
    mash_rated_at: datetime | None = None,
) -> list[Milestone]:
    """Milestones for one missing episode, in the order the bot should mention them.

    ``concerns``: particular concerns for a looked after child's welfare (e.g. meeting
    unfamiliar or inappropriate adults, a group running away together). ``mash_rating``
    is the MASH RAG rating where a referral exists; its clock runs from ``mash_rated_at``,
    and without that time the milestone is ``due`` with no ``due`` datetime.
    Raises :class:`LastSeenInFuture`, or ``ValueError`` for naive or inconsistent times.
    """
    seen = require_aware(last_seen, "last_seen")
    now_utc = require_aware(now, "now")
    if seen > now_utc:
        raise LastSeenInFuture(f"last seen {format_local(seen, now_utc)} is later than now")
    back = None if returned_at is None else require_aware(returned_at, "returned_at")
    if back is not None and not seen <= back <= now_utc:
        raise ValueError("returned_at must be between last_seen and now")

    milestones: list[Milestone] = []
    if looked_after:
        milestones += _looked_after_missing(seen, now_utc, back, concerns)
    elif back is None:
        milestones.append(
            Milestone(
                name="police_lead",
                description=say("clock.milestone.police_lead"),
                due=None,
                status="due",
                source_record=SOURCES["police_lead"],
                opens=_local(seen),
            )
        )
    if back is not None:
        milestones += _on_return(back, now_utc, looked_after)
    if mash_rating is not None:
        milestones.append(_mash(mash_rating, mash_rated_at, now_utc))
    return milestones


# --------------------------------------------------------------------------- looked after


def _looked_after_missing(
    seen: datetime, now: datetime, back: datetime | None, concerns: bool
) -> list[Milestone]:
    out: list[Milestone] = []
    clock = back or now  # the missing clock stops when the child returns

    if concerns:
        rule = DEADLINES["lac_early_strategy_meeting"]
        due = seen + rule.as_timedelta()
        if back is not None:
            status = "done"
            text = say("clock.milestone.early_strategy_meeting.done")
        else:
            status = "due" if now <= due else "overdue"
            text = say("clock.milestone.early_strategy_meeting.due", by=format_local(due, now))
        out.append(
            Milestone(
                "early_strategy_meeting", text, _local(due), status, rule.record_id, _local(seen)
            )
        )

    rule = DEADLINES["lac_notify_director"]
    point = seen + rule.as_timedelta()
    if clock >= point:
        if back is not None:
            status = "done"
            text = say("clock.milestone.notify_executive_director.done")
        else:
            status = "due"
            text = say("clock.milestone.notify_executive_director.due")
        out.append(
            Milestone(
                "notify_executive_director",
                text,
                _local(point),
                status,
                rule.record_id,
                _local(point),
            )
        )
    elif back is None:
        text = say(
            "clock.milestone.notify_executive_director.upcoming", at=format_local(point, now)
        )
        out.append(
            Milestone(
                "notify_executive_director",
                text,
                _local(point),
                "upcoming",
                rule.record_id,
                _local(point),
            )
        )

    trigger = DEADLINES["lac_strategy_meeting_trigger"]
    window = DEADLINES["lac_strategy_meeting_window"]
    point = seen + trigger.as_timedelta()
    end = working_days_deadline(point, window.amount)
    by = f"by {format_deadline(end, now)}{_bank_holiday_note(point, end, now)}"
    if clock >= point:
        if back is not None:
            status = "done"
            text = say("clock.milestone.strategy_meeting.done")
        else:
            status = "due" if now <= end else "overdue"
            text = say("clock.milestone.strategy_meeting.due", by_working_days=by)
    elif back is None:
        status = "upcoming"
        text = say(
            "clock.milestone.strategy_meeting.upcoming",
            at=format_local(point, now), by_working_days=by,
        )
    else:
        return out
    out.append(
        Milestone("strategy_meeting", text, _local(end), status, window.record_id, _local(point))
    )
    return out


# --------------------------------------------------------------------------- return


def _on_return(back: datetime, now: datetime, looked_after: bool) -> list[Milestone]:
    out = [
        Milestone(
            name="safe_and_well_check",
            description=say("clock.milestone.safe_and_well_check"),
            due=None,
            status="due",
            source_record=SOURCES["safe_and_well_check"],
            opens=_local(back),
        )
    ]
    rule = DEADLINES["return_interview"]
    due = back + rule.as_timedelta()
    out.append(
        Milestone(
            name="return_interview",
            description=say("clock.milestone.return_interview", by=format_local(due, now)),
            due=_local(due),
            status="due" if now <= due else "overdue",
            source_record=rule.record_id,
            opens=_local(back),
        )
    )
    rule = DEADLINES["social_worker_visit"]
    due = back + rule.as_timedelta()
    out.append(
        Milestone(
            name="social_worker_visit",
            description=say(
                "clock.milestone.social_worker_visit.looked_after" if looked_after
                else "clock.milestone.social_worker_visit.at_home",
                by=format_local(due, now),
            ),
            due=_local(due),
            status="due" if now <= due else "overdue",
            source_record=rule.record_id,
            opens=_local(back),
        )
    )
    if looked_after:
        out.append(
            Milestone(
                name="lac_return_notifications",
                description=say("clock.milestone.lac_return_notifications"),
                due=None,
                status="due",
                source_record=SOURCES["lac_return_notifications"],
                opens=_local(back),
            )
        )
    return out


# --------------------------------------------------------------------------- MASH


def _mash(rating: str, rated_at: datetime | None, now: datetime) -> Milestone:
    rating = rating.strip().lower()
    if rating not in MASH_RATINGS:
        raise ValueError(f"mash_rating must be red, amber or green, not {rating!r}")
    if rating == "green":
        return Milestone(
            "mash_green_support",
            say("clock.milestone.mash_green_support"),
            None,
            "due",
            SOURCES["mash_green_support"],
            None if rated_at is None else _local(require_aware(rated_at, "mash_rated_at")),
        )
    key = "mash_red_strategy_meeting" if rating == "red" else "mash_amber_discussion"
    rule = DEADLINES[key]
    if rated_at is None:
        return Milestone(
            key,
            say(
                "clock.milestone.mash_red_strategy_meeting.untimed" if rating == "red"
                else "clock.milestone.mash_amber_discussion.untimed"
            ),
            None,
            "due",
            rule.record_id,
        )
    start = require_aware(rated_at, "mash_rated_at")
    if start > now:
        raise ValueError("mash_rated_at must not be later than now")
    due = start + rule.as_timedelta()
    return Milestone(
        key,
        say(
            "clock.milestone.mash_red_strategy_meeting.timed" if rating == "red"
            else "clock.milestone.mash_amber_discussion.timed",
            by=format_local(due, now),
        ),
        _local(due),
        "due" if now <= due else "overdue",
        rule.record_id,
        _local(start),
    )


def _local(value: datetime) -> datetime:
    return value.astimezone(UTC).astimezone(LONDON)
