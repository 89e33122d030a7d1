"""What a message says about the person's situation: who is asking, whether they have
run away, whether it is outside office hours, whether they want to stay anonymous or are
asking who to tell, and requests the assistant cannot do. The phrases are data, in
actions/situation.yml; what is said, in bot/copy/ ("situation", "cannot_do")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml

from actions.contacts import help_lines, phone, say
from missing_clock import LONDON, is_office_hours
from missing_clock.parse import parse_last_seen

PHRASES = Path(__file__).resolve().parent / "situation.yml"
#: An answer that already names exploitation or grooming needs no line saying it.
_EXPLOITATION_NAMED = re.compile(r"\bexploit|\bgroom", re.IGNORECASE)
_STILL_A_CHILD = re.compile(r"18th birthday|\bunder 18\b|\bnot (yet )?(an )?adults?\b",
                            re.IGNORECASE)
_SIGNIFICANT_HARM = re.compile(r"\bsignificant harm\b", re.IGNORECASE)


@dataclass(frozen=True)
class CannotDo:
    kind: str
    patterns: tuple[re.Pattern[str], ...]
    #: Audience ("unknown" when nobody said, or "everyone") -> the record whose answer
    #: follows the refusal for them: what the guidance does say beside what it cannot
    #: ("will we lose our licence?").
    then_answer: Mapping[str, str] = field(default_factory=dict)

    def answer_after(self, who: str | None) -> str | None:
        """The record whose answer follows this refusal for ``who``, if any."""
        return self.then_answer.get(who or "unknown", self.then_answer.get("everyone"))


@dataclass(frozen=True)
class DecidedRecord:
    """A record put first when every group in ``every`` matches and ``unless`` does not."""

    record: str
    not_for: frozenset[str]
    only_for: frozenset[str]  # empty: anyone
    every: tuple[tuple[re.Pattern[str], ...], ...]
    unless: tuple[re.Pattern[str], ...]
    shown_with: tuple[str, ...] = ()  # records shown beside it, first among the others


@dataclass(frozen=True)
class Phrases:
    said_of_self: dict[str, tuple[re.Pattern[str], ...]]
    audience: dict[str, tuple[re.Pattern[str], ...]]
    runaway_self: tuple[re.Pattern[str], ...]
    runaway_met: tuple[tuple[re.Pattern[str], ...], ...]
    out_of_hours: tuple[re.Pattern[str], ...]
    anonymous: tuple[re.Pattern[str], ...]
    exploitation_signs: tuple[re.Pattern[str], ...]
    trafficking_signs: tuple[re.Pattern[str], ...]
    age_15_to_17: tuple[re.Pattern[str], ...]
    adult_doubt: tuple[re.Pattern[str], ...]
    repeat_episodes: tuple[re.Pattern[str], ...]
    missing_again: tuple[re.Pattern[str], ...]
    going_missing: tuple[re.Pattern[str], ...]
    another_child: tuple[re.Pattern[str], ...]
    asks_what_is_due: tuple[re.Pattern[str], ...]
    asks_who_to_tell: tuple[re.Pattern[str], ...]
    asks_what_to_do: tuple[re.Pattern[str], ...]
    asks_for_the_steps: tuple[tuple[re.Pattern[str], ...], ...]
    not_back: tuple[re.Pattern[str], ...]
    gone_now: tuple[re.Pattern[str], ...]
    police_named: tuple[re.Pattern[str], ...]
    police_not_told: tuple[re.Pattern[str], ...]
    parent_of: tuple[re.Pattern[str], ...]
    own_child: tuple[re.Pattern[str], ...]
    refers_back: tuple[re.Pattern[str], ...]
    already_reported: tuple[re.Pattern[str], ...]
    still_missing: tuple[re.Pattern[str], ...]
    returned: tuple[re.Pattern[str], ...]
    back_now: tuple[re.Pattern[str], ...]
    after_return_records: frozenset[str]
    missing_records: frozenset[str]
    not_reported_yet: tuple[re.Pattern[str], ...]
    names_a_child: tuple[re.Pattern[str], ...]
    cannot_do: tuple[CannotDo, ...]
    decides_record: tuple[DecidedRecord, ...]


# "{own_people}" in a pattern; regex counts such as {0,40} are not names.
_WORD = re.compile(r"\{([a-z_]+)\}")


def _words(named: dict[str, str]) -> dict[str, str]:
    """The named word lists, each later one free to use the ones before it."""
    words: dict[str, str] = {}
    for name, alternation in named.items():
        words[name] = _WORD.sub(lambda m: words[m.group(1)], alternation)
    return words


@lru_cache(maxsize=1)
def phrases() -> Phrases:
    data = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))
    words = _words(data.get("words") or {})

    def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(_WORD.sub(lambda m: words[m.group(1)], p), re.IGNORECASE)
                     for p in patterns)

    return Phrases(
        said_of_self={who: _compile(ps) for who, ps in data["said_of_self"].items()},
        audience={who: _compile(ps) for who, ps in data["audience"].items()},
        runaway_self=_compile(data["runaway_self"]),
        runaway_met=tuple(_compile(group) for group in data["runaway_met"].values()),
        out_of_hours=_compile(data["out_of_hours"]),
        anonymous=_compile(data["anonymous"]),
        exploitation_signs=_compile(data["exploitation_signs"]),
        trafficking_signs=_compile(data["trafficking_signs"]),
        age_15_to_17=_compile(data["still_a_child"]["age"]),
        adult_doubt=_compile(data["still_a_child"]["doubt"]),
        repeat_episodes=_compile(data["repeat_episodes"]),
        missing_again=_compile(data["missing_again"]),
        going_missing=_compile(data["going_missing"]),
        another_child=_compile(data["another_child"]),
        asks_what_is_due=_compile(data["asks_what_is_due"]),
        asks_who_to_tell=_compile(data["asks_who_to_tell"]),
        asks_what_to_do=_compile(data["asks_what_to_do"]),
        asks_for_the_steps=tuple(_compile(group) for group in data["asks_for_the_steps"].values()),
        not_back=_compile(data["asks_for_the_steps"]["not_back"]),
        own_child=_compile(data["own_child"]),
        gone_now=_compile(data["gone_now"]["gone"]),
        police_named=_compile(data["gone_now"]["police"]),
        police_not_told=_compile(data["gone_now"]["not_told"]),
        parent_of=_compile(data["gone_now"]["parent_of"]),
        refers_back=_compile(data["follow_up"]["refers_back"]),
        already_reported=_compile(data["already_reported"]["said"]),
        still_missing=_compile(data["still_missing"]["missing"]),
        returned=_compile(data["still_missing"]["returned"]),
        back_now=_compile(data["back_now"]),
        after_return_records=frozenset(data["still_missing"]["after_return_records"]),
        missing_records=frozenset(data["still_missing"]["missing_records"]),
        not_reported_yet=_compile(data["already_reported"]["not_yet"]),
        names_a_child=_compile(data["follow_up"]["names_a_child"]),
        cannot_do=tuple(
            CannotDo(kind=item["kind"], patterns=_compile(item["patterns"]),
                     then_answer=dict(item.get("then_answer") or {}))
            for item in data["cannot_do"]
        ),
        decides_record=tuple(
            DecidedRecord(
                record=item["record"],
                not_for=frozenset(item.get("not_for") or []),
                only_for=frozenset(item.get("for") or []),
                # A group given as ~ is the top-level group of that name; "~name" among
                # a group's patterns takes in that top-level group's patterns.
                every=tuple(_compile(_with_groups(patterns or data[name], data))
                            for name, patterns in item["all"].items()),
                unless=_compile(item.get("unless") or []),
                shown_with=tuple(item.get("shown_with") or []),
            )
            for item in data["decides_record"]
        ),
    )


def _with_groups(patterns: list[str], data: dict) -> list[str]:
    """``patterns`` with each "~name" replaced by the top-level group of that name."""
    out: list[str] = []
    for pattern in patterns:
        out.extend(data[pattern[1:]] if pattern.startswith("~") else [pattern])
    return out


def _any(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _plain(text: str) -> str:
    return text.replace("’", "'")


#: A question, with or without its question mark ("who do i ring", "do i hav to wait").
QUESTION_RE = re.compile(
    r"\?|^\s*(is|are|am|can|could|do|does|did|should|shud|will|would|any|tell me)\b|"
    r"\b(who|whos|what|whats|wot|where|when|how|which|why)\b|"
    r"\b(can i|can (u|you)|could (u|you)|should i|do i|is it|am i|is there|will i|will they|"
    r"do they|does it|does that)\b|"
    # Asked without a question mark: "if i go will my real mum get told".
    r"\b(will|would|wud|wil) (my|ur|your|his|her|our|any ?one|any1|anybody|some ?one|some1|"
    r"the|u|you|it|he|she|we|they)\b|"
    r"\b(right|innit|yeah)\b\W*(,|$)",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    return bool(QUESTION_RE.search(text))


def audience_in(text: str) -> str | None:
    """Who the message says is asking ("the child I foster", "my pub", "I ran away"): what
    they call themselves first, then what they say."""
    text = _plain(text)
    for groups in (phrases().said_of_self, phrases().audience):
        for who, patterns in groups.items():
            if _any(patterns, text):
                return who
    return None


def said_of_self(text: str) -> str | None:
    """Who the person says they are ("I'm a foster carer", "SW here", "i'm a good mum"),
    read alone: surer than what they only say of others."""
    text = _plain(text)
    return next((who for who, patterns in phrases().said_of_self.items()
                 if _any(patterns, text)), None)


def has_run_away(text: str) -> bool:
    return _any(phrases().runaway_self, _plain(text))


def tells_of_a_runaway(text: str, who: str | None) -> bool:
    """A member of the public or a licence holder with a child who has run away ("a girl
    here ... says she ran from her care home"). Carers and workers know the child's own
    people; a young person is given the helplines anyway."""
    text = _plain(text)
    return who in (None, "licence_holder") and all(
        _any(group, text) for group in phrases().runaway_met)


def asks_what_is_due(text: str) -> bool:
    """ "Where should things be up to? The girl I foster is missing": a question for the
    missing clock, however the classifier placed it."""
    return _any(phrases().asks_what_is_due, _plain(text))


def asks_who_to_tell(text: str) -> bool:
    """ "Who do I tell?", "who needs to know?", "where do I report it?"."""
    return _any(phrases().asks_who_to_tell, _plain(text))


def asks_for_the_steps(text: str) -> bool:
    """ "my girl was due back at 4 ... can you walk me thru what i should be doing": a child
    not back yet, and a request to be taken through what to do (the search walkthrough)."""
    text = _plain(text)
    return all(_any(group, text) for group in phrases().asks_for_the_steps) \
        and not child_is_back(text)


def asks_of_a_child_in_others_care(text: str) -> bool:
    """ "15 yr old patient in surgery ... walked out from home 2 nights ago ... What is my
    responsibility here": a question from someone who does not look after the child (a GP,
    a team manager, a neighbour). The carers' search steps are not theirs to take; the
    guidance answers them."""
    text = _plain(text)
    return is_question(text) and audience_in(text) not in ("carer", "young_person") \
        and not speaks_of_own_child(text)


def reports_own_child_not_back(text: str) -> bool:
    """ "sat nite 10pm, my foster daugter (14) hasnt come back ... her sw is off til monday
    what do i do now": a child the person looks after, not back yet, and what to do or who
    to ring: the search walkthrough's opening."""
    plain = _plain(text)
    own = speaks_of_own_child(text) or audience_in(text) == "carer"
    not_back = _any(phrases().not_back, plain) and not child_is_back(text)
    asks = asks_what_to_do(text) or _any(phrases().asks_who_to_tell, plain)
    return own and not_back and asks


def speaks_of_own_child(text: str) -> bool:
    """ "my 16 yr old", "our lad": a child the person looks after or is family to."""
    return _any(phrases().own_child, _plain(text))


def gone_and_not_reported(text: str, who: str | None) -> bool:
    """ "my daughter is 17 and has been gone since yesterday ... should i just leave it": a
    parent or carer's child gone now, and nothing says the police know."""
    plain = _plain(text)
    theirs = who == "carer" or speaks_of_own_child(text) or _any(phrases().parent_of, plain)
    police_know = says_already_reported(text) or (
        _any(phrases().police_named, plain) and not _any(phrases().police_not_told, plain))
    return who in (None, "carer") and theirs and _any(phrases().gone_now, plain) \
        and not child_is_back(text) and not police_know and not keeps_going_missing(text)


def asks_what_to_do(text: str) -> bool:
    return _any(phrases().asks_what_to_do, _plain(text))


def is_follow_up(text: str) -> bool:
    """ "How quickly am I meant to see him myself?", "and at 72?": it points back and
    names no child, so it only makes sense with the messages before it."""
    text = _plain(text)
    return _any(phrases().refers_back, text) and not _any(phrases().names_a_child, text)


def not_for_a_child_still_missing(text: str) -> frozenset[str]:
    """The records about after a return, when ``text`` says the child is still missing
    and nothing of a return; else none."""
    text = _plain(text)
    if not _any(phrases().still_missing, text):
        return frozenset()
    # "hasn't come back" says missing, not returned: read the rest for a return.
    rest = text
    for pattern in phrases().still_missing:
        rest = pattern.sub(" ", rest)
    return frozenset() if _any(phrases().returned, rest) else phrases().after_return_records


def out_of_place_records(text: str) -> frozenset[str]:
    """The records the situation makes unlikely: what follows a return while the child is
    still missing, and the searches and missing deadlines once the child is back."""
    if child_is_back(text):
        return phrases().missing_records
    return not_for_a_child_still_missing(text)


def child_is_back(text: str) -> bool:
    """ "our son came back this morning, is anything else supposed to happen now?": the
    message says the child has returned, and nothing after that says missing ("went
    missing last night but came back this morning" is back; "came back, then went
    missing again" and "hasn't got back" are not)."""
    text = _plain(text)

    def last_end(patterns: tuple[re.Pattern[str], ...]) -> int:
        return max((m.end() for p in patterns for m in p.finditer(text)), default=-1)

    back = last_end(phrases().back_now)
    return back >= 0 and back > last_end(phrases().still_missing)


def says_already_reported(text: str) -> bool:
    """ "We reported it to police on Tuesday night": the police already know."""
    text = _plain(text)
    return _any(phrases().already_reported, text) and not _any(phrases().not_reported_yet, text)


def wants_anonymity(text: str) -> bool:
    return _any(phrases().anonymous, _plain(text))


def shows_exploitation_signs(text: str) -> bool:
    """The message describes what can be grooming ("her boyfriend is 24", "new trainers I
    didn't buy her", "gets into cars with men"), whether or not it names it."""
    return _any(phrases().exploitation_signs, _plain(text))


def shows_trafficking_signs(text: str) -> bool:
    """Children moved from place to place by adults, whether or not it is named."""
    return _any(phrases().trafficking_signs, _plain(text))


def doubts_a_teenager_is_a_child(text: str) -> bool:
    """ "16 is old enough to rent a room isn't it?", "she's nearly 18, is it even CSE?"."""
    text = _plain(text)
    return _any(phrases().age_15_to_17, text) and _any(phrases().adult_doubt, text)


def keeps_going_missing(text: str) -> bool:
    """ "This is the 6th time since September", "keeps running off", "gone again"."""
    text = _plain(text)
    again = _any(phrases().repeat_episodes, text) or _any(phrases().missing_again, text)
    return again and _any(phrases().going_missing, text)


def speaks_of_another_child(text: str) -> bool:
    """ "There's usually a couple of young teenage girls there": someone telling of a child
    who is not themselves (read only when nothing says a young person is asking)."""
    return _any(phrases().another_child, _plain(text))


def out_of_office_hours(text: str, now: datetime | None = None) -> bool:
    """True when the message places itself outside office hours ("11pm on a Saturday")."""
    text = _plain(text)
    if _any(phrases().out_of_hours, text):
        return True
    when = parse_last_seen(text, now or datetime.now(LONDON))
    return when is not None and not is_office_hours(when.when)


@lru_cache(maxsize=64)
def decided_rule(text: str, who: str | None) -> DecidedRecord | None:
    """The rule whose situation ``text`` shows ("the lad we foster isn't back, who do I
    ring" -> the carer's notifications), for ``who`` (or whoever the text shows).
    Remembered: choosing a record asks it for the whole message more than once."""
    text = _plain(text)
    who = who or audience_in(text)
    return next((rule for rule in phrases().decides_record
                 if who not in rule.not_for and (not rule.only_for or who in rule.only_for)
                 and all(_any(group, text) for group in rule.every)
                 and not _any(rule.unless, text)), None)


def decided_record(text: str, who: str | None) -> str | None:
    """The record the situation in ``text`` calls for, if one does."""
    rule = decided_rule(text, who)
    return rule.record if rule else None


def cannot_do(text: str) -> CannotDo | None:
    text = _plain(text)
    return next((item for item in phrases().cannot_do if _any(item.patterns, text)), None)


def cannot_do_reply(item: CannotDo, who: str | None) -> str:
    """The honest "I can't" (bot/copy, "cannot_do") and who can (who_can_help.yml)."""
    situation = f"cannot_do.{item.kind}"
    return say("cannot_do.reply", who, says=say(situation, who),
               helpers=help_lines(situation, who))


def refusal_for(text: str, who: str | None) -> str | None:
    """The honest "I can't" for a request in ``text`` (None if it asks for nothing the
    assistant cannot do), worded for ``who`` or, when unknown, whoever the text shows."""
    item = cannot_do(text)
    return None if item is None else cannot_do_reply(item, who or audience_in(text))


def notes(text: str, who: str | None, shown: str) -> list[str]:
    """Lines to add to an answer for what the message says, unless already ``shown``."""
    out: list[str] = []
    # Both lines, not only the one an answer happens to name ("Also relevant: Runaway
    # Helpline" without Childline).
    helplines_shown = all(phone(line) in shown for line in ("runaway_helpline", "childline"))
    # Another child's running away ("she says she has nowhere to go") before the asker's.
    if tells_of_a_runaway(text, who) and not helplines_shown:
        out.append(say("situation.runaway_met", who))
    elif has_run_away(text) and not helplines_shown:
        out.append(say("situation.runaway", who))
    elif who == "young_person" and not helplines_shown:
        # Whatever a young person asked, someone to talk to is in the reply (issue 11).
        out.append(say("situation.talk_to_someone", who))
    if (who != "young_person" and out_of_office_hours(text)
            and phone("emergency_duty_team") not in shown):
        out.append(say("situation.out_of_hours", who))
    if wants_anonymity(text) and phone("crimestoppers") not in shown:
        out.append(say("situation.anonymous", who))
    if shows_exploitation_signs(text) and not _EXPLOITATION_NAMED.search(shown):
        # What they describe is named, whatever the answer was about.
        out.append(say("situation.exploitation_signs", who))
    if shows_trafficking_signs(text) and "traffick" not in shown.lower():
        out.append(say("situation.trafficking_signs", who))
    if doubts_a_teenager_is_a_child(text) and not _STILL_A_CHILD.search(shown):
        out.append(say("situation.still_a_child", who))
    if keeps_going_missing(text) and not _SIGNIFICANT_HARM.search(shown):
        out.append(say("situation.repeat_missing", who))
    if gone_and_not_reported(text, who) and phone("police_non_emergency") not in shown:
        out.append(say("clock.police", who))
    return out
