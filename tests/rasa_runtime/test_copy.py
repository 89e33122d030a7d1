"""Every message in bot/copy/, rendered for every audience, with every placeholder filled.

The copy names contacts and deadlines ({phone:mash}, {help:dont_know},
{deadline:lac_notify_director}); guidance_corpus/wording.py fills them from
guidance_corpus/contacts.yml, bot/copy/who_can_help.yml and the corpus deadlines (here,
the missing clock's, which only this runtime has). These tests render each entry as the
assistant would say it and check that every placeholder resolves, that no number or
deadline is typed into the copy itself, and that every entry the code names exists.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from actions import audience, fallback, questionnaire, safety, situation
from actions.contacts import copy
from actions.episode_clock import STATUSES
from guidance_corpus.wording import (
    ADULTS,
    COPY_DIR,
    COPY_FILES,
    EVERYONE,
    PLACEHOLDER,
    UNKNOWN,
    audience_keys,
)
from tests.corpus.test_no_number_typed_into_copy import deadline_patterns, number_patterns
from tools.paths import ROOT

WHO: list[str | None] = [None, *audience.AUDIENCES]
CONTACTS = copy().corpus.contacts


def values(text: str, who: str | None = None) -> dict[str, str]:
    """A stand-in for each value the code gives ({reference}), so the rest can render;
    also those of the entries it says within it ({say:walkthrough.in_short.then})."""
    found: dict[str, str] = {}
    for kind, arg, _ in PLACEHOLDER.findall(text):
        if not arg:
            found[kind] = f"<{kind}>"
        elif kind == "say":
            inner = copy().entry(arg, who)
            for item in inner if isinstance(inner, list) else [inner]:
                found.update(values(item, who))
    return found


def said_to(file: str) -> list[str | None]:
    """Who an entry of ``file`` is said to: everyone.yml's to every audience."""
    if file == EVERYONE:
        return WHO
    return [None if file == UNKNOWN else file]


def rendered() -> list[tuple[str, str, str | None, bool, str, str]]:
    """(file, entry, audience, office hours, template, rendered) for every message."""
    found = []
    for file in COPY_FILES:
        for name, template in copy().copy[file].items():
            items = template if isinstance(template, list) else [template]
            for who in said_to(file):
                if copy().entry(name, who) is not template:
                    continue  # the audience's own file says this entry instead
                for hours in (True, False):
                    for item in items:
                        text = copy().fill(item, who, hours, values(item, who))
                        found.append((file, name, who, hours, item, text))
    return found


RENDERED = rendered()


def test_every_message_renders_with_every_placeholder_filled() -> None:
    left = [f"{file}.yml {name} ({who}): {text[:80]!r}"
            for file, name, who, _, _, text in RENDERED
            if re.search(r"\{[a-z_]+(?::[^}]*)?\}", text.replace("<", "").replace(">", ""))]
    assert not left, "placeholders left unfilled:\n" + "\n".join(left)
    assert len({(file, name) for file, name, *_ in RENDERED}) > 100


@pytest.mark.parametrize(("kind", "patterns"), [("phone number", number_patterns()),
                                                 ("deadline", deadline_patterns())])
def test_no_number_is_typed_into_the_copy(kind: str, patterns: list[re.Pattern[str]]) -> None:
    typed = {f"{file}.yml {name}: {pattern.pattern}"
             for file, name, _, _, template, _ in RENDERED for pattern in patterns
             if pattern.search(template)}
    assert not typed, f"a {kind} typed into bot/copy/ (name it instead):\n" + "\n".join(typed)


def test_the_numbers_in_a_reply_come_from_the_contacts() -> None:
    # Rendered, the copy says the corpus's numbers: a changed number changes the reply.
    texts: dict[tuple[str, str, str | None], str] = {}
    for file, name, who, hours, _, text in RENDERED:
        if hours:  # a list entry's items, one after another
            key = (file, name, who)
            texts[key] = f"{texts[key]}\n{text}" if key in texts else text
    assert CONTACTS["police_emergency"].phone in texts[(EVERYONE, "greeting", None)]
    assert CONTACTS["mash"].phone in texts[(EVERYONE, "referral.stopped", "carer")]
    edt = texts[(EVERYONE, "guidance.dont_know", "professional")]
    assert f"{CONTACTS['emergency_duty_team'].name}: {CONTACTS['emergency_duty_team'].phone}" in edt
    # A licence holder's question the letter does not cover ("how long does it take to
    # renew my private hire badge") names the Licensing Team.
    licensing = texts[(EVERYONE, "guidance.dont_know", "licence_holder")]
    assert CONTACTS["licensing_team"].phone in licensing and CONTACTS["mash"].phone in licensing
    deadline = copy().deadlines["lac_notify_director"]
    assert f"({deadline} hours" in texts[("carer", "audience.what_i_can_do", "carer")]


def test_every_contact_in_the_table_has_a_number_and_every_audience_a_row() -> None:
    for situation_name, rows in copy().table.items():
        for who, helpers in rows.items():
            assert who in {EVERYONE, ADULTS, UNKNOWN, *audience.AUDIENCES}, (situation_name, who)
            for helper in helpers:
                assert CONTACTS[helper.contact].phone, (situation_name, helper.contact)
                if CONTACTS[helper.contact].not_in_seeds:
                    # Outside the source documents: for a young person in crisis only.
                    assert situation_name.startswith("crisis."), (situation_name, helper)
                    assert who in (audience.YOUNG_PERSON, UNKNOWN), (situation_name, who)
    for name in ["talk_to_someone", "cannot_help", "dont_know", "runaway", "out_of_hours",
                 "anonymous", "young_person_help",
                 *(f"crisis.{kind}" for kind in safety.KINDS),
                 *(f"cannot_do.{item.kind}" for item in situation.phrases().cannot_do)]:
        for who in WHO:
            if who is None and name.startswith("crisis."):
                continue  # the route itself names both lines; some crises add one more
            for hours in (True, False):
                assert copy().help_lines(name, who, hours), (name, who, hours)


def test_office_hours_choose_the_rows() -> None:
    edt = CONTACTS["emergency_duty_team"].phone
    assert edt not in "\n".join(copy().help_lines("talk_to_someone", "carer", True))
    assert edt in "\n".join(copy().help_lines("talk_to_someone", "carer", False))
    assert audience_keys("licence_holder") == ["licence_holder", ADULTS, EVERYONE]
    assert audience_keys(None) == [UNKNOWN, EVERYONE]


def said_in_code() -> set[str]:
    """The copy entries the code names with a literal: say("referral.stopped", ...)."""
    names = set()
    code = [path for folder in ("actions", "missing_clock")
            for path in sorted((ROOT / folder).glob("*.py"))]
    for path in [*code, ROOT / "api" / "safe_reply.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                    node.func, "attr", None)) in ("say", "say_list", "_with_helplines")
                    and node.args):
                first = node.args[0]  # say("a") or say("a" if ... else "b")
                choices = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                names |= {str(c.value) for c in choices if isinstance(c, ast.Constant)}
    return names


def test_every_entry_the_code_names_exists() -> None:
    named = said_in_code()
    assert {"greeting", "referral.stopped", "safe_reply.unavailable",
            "clock.milestone.strategy_meeting.due"} <= named
    # ...and the names the code makes from a kind.
    named |= {f"fallback.{problem}" for problem in fallback.PROBLEMS}
    named |= {f"safety.words.{kind}" for kind in safety.KINDS}
    named |= {f"clock.status.{status}" for status in STATUSES}
    named |= {f"questions.hint.{kind}" for kind in [*questionnaire.HINTED, "other"]}
    named |= {f"buttons.{title}" for steps in safety.NEXT_STEPS.values() for title, _ in steps}
    named |= {f"cannot_do.{item.kind}" for item in situation.phrases().cannot_do}
    for name in sorted(named):
        for who in WHO:
            if (name.startswith("safety.words.") and who != audience.YOUNG_PERSON) or (
                    name == "audience.label" and who is None):
                continue  # said to young people only; labels are the audiences' own
            copy().entry(name, who)  # raises WordingError naming the entry


def test_every_entry_is_said() -> None:
    # An entry nothing says is copy an editor would change to no effect.
    named = said_in_code() | {"audience.label", "audience.what_i_can_do"}
    made = {"fallback.", "safety.words.", "clock.status.", "questions.hint.", "buttons.",
            "cannot_do.", "safety.in_danger"}
    texts = "\n".join(str(t) for file in COPY_FILES for t in copy().copy[file].values())
    included = {arg for kind, arg, _ in PLACEHOLDER.findall(texts) if kind in ("say", "list")}
    unsaid = sorted(
        name for file in COPY_FILES for name in copy().copy[file]
        if name not in named | included and not any(name.startswith(m) for m in made)
    )
    assert not unsaid, f"copy entries nothing says: {unsaid}"


def test_the_copy_files_are_the_audiences() -> None:
    files = {path.stem for path in Path(COPY_DIR).glob("*.yml")} - {"who_can_help"}
    assert files == set(COPY_FILES) == {EVERYONE, UNKNOWN, *audience.AUDIENCES}
    for file in COPY_FILES:
        data = yaml.safe_load((COPY_DIR / f"{file}.yml").read_text("utf-8"))
        assert all(isinstance(key, str) for key in data), file  # no YAML yes/no keys
