"""What the assistant says, as data: the copy in bot/copy/ rendered with the corpus's facts.

``bot/copy/everyone.yml`` holds what is said to anyone; ``bot/copy/<audience>.yml``
(``carer``, ``young_person``, ``licence_holder``, ``professional``, and ``unknown`` for
someone who has not said who they are) holds what is said differently to that audience,
under the same name. ``bot/copy/who_can_help.yml`` is the one table of who can help,
by situation, audience and office hours; every list of contacts in a reply is built
from it. Placeholders in the copy:

- ``{phone:mash}``, ``{name:mash}``, ``{email:mash}``: one fact of a contact in
  guidance_corpus/contacts.yml;
- ``{help:situation}``: the table's contacts for the situation, one "- Name: number
  (note)" line each; ``{help_inline:situation}`` the same on one line;
  ``{help:situation:audience}`` for a named audience instead of the one being talked to;
- ``{deadline:name}``: the amount of a deadline the corpus states (the names are
  missing_clock's rules, missing_clock/deadlines.py);
- ``{list:entry}``: a list entry of the same audience's copy, one "- item" line each;
- ``{say:entry}``: another entry of the copy, as said to the same audience;
- ``{anything_else}``: a value the code gives when it says the entry (a reference,
  a read-back).

Plain Python and PyYAML, so both runtimes use it: the action server (through
actions/contacts.py, which gives it the deadlines) and the API (api/safe_reply.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from guidance_corpus.loader import AUDIENCES, Corpus, load_corpus

COPY_DIR = Path(__file__).resolve().parents[1] / "bot" / "copy"
EVERYONE = "everyone"
UNKNOWN = "unknown"  # who is asking is not known yet
ADULTS = "adults"  # the who-can-help table's name for every audience but young people
YOUNG_PERSON = "young_person"
COPY_FILES = (EVERYONE, UNKNOWN, *sorted(AUDIENCES))
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::([a-z0-9_.]+)(?::([a-z_]+))?)?\}")
FACTS = {"phone", "name", "email"}
OUT_OF_HOURS = "out_of_hours"
OFFICE_HOURS = "office_hours"


class WordingError(KeyError):
    """An entry, a contact, a situation or a value the copy names is missing."""


@dataclass(frozen=True)
class Helper:
    """One row of the who-can-help table: a contact, its note, and when it applies."""

    contact: str
    note: str = ""
    when: str | None = None  # out_of_hours | office_hours | None (any time)

    def applies(self, in_office_hours: bool | None) -> bool:
        if self.when is None or in_office_hours is None:
            return True
        return in_office_hours == (self.when == OFFICE_HOURS)


def audience_keys(who: str | None) -> list[str]:
    """Where to look, most particular first: the audience, adults, everyone."""
    key = who or UNKNOWN
    if key in (EVERYONE, ADULTS):
        return [key] if key == EVERYONE else [ADULTS, EVERYONE]
    adult = key in AUDIENCES and key != YOUNG_PERSON
    return [key, *([ADULTS] if adult else []), EVERYONE]


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str | list[str]]:
    flat: dict[str, str | list[str]] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = [str(item) for item in value]
        else:
            flat[name] = str(value)
    return flat


def _helper(where: str, raw: Any) -> Helper:
    if isinstance(raw, str):
        return Helper(raw)
    if isinstance(raw, Mapping):
        when = raw.get("when")
        names = [key for key in raw if key != "when"]
        if len(names) == 1 and when in (None, OUT_OF_HOURS, OFFICE_HOURS):
            return Helper(str(names[0]), str(raw[names[0]] or ""), when)
    raise WordingError(f"{where}: expected 'contact_id' or {{contact_id: note, when: ...}}")


class Wording:
    """The copy and the who-can-help table of one directory, filled from one corpus."""

    def __init__(
        self, directory: Path = COPY_DIR, corpus: Corpus | None = None,
        deadlines: Mapping[str, int] | None = None,
    ) -> None:
        self.directory = directory
        self.corpus = corpus or load_corpus()
        self.deadlines = dict(deadlines or {})
        self.copy: dict[str, dict[str, str | list[str]]] = {
            name: _flatten(yaml.safe_load((directory / f"{name}.yml").read_text("utf-8")) or {})
            for name in COPY_FILES
        }
        table = yaml.safe_load((directory / "who_can_help.yml").read_text("utf-8")) or {}
        self.table: dict[str, dict[str, tuple[Helper, ...]]] = {
            situation: {
                who: tuple(_helper(f"{situation}.{who}", raw) for raw in rows or [])
                for who, rows in by_audience.items()
            }
            for situation, by_audience in _situations(table).items()
        }

    # -- the copy

    def entry(self, name: str, who: str | None) -> str | list[str]:
        for file in (who or UNKNOWN, EVERYONE):
            found = self.copy.get(file, {}).get(name)
            if found is not None:
                return found
        raise WordingError(f"no copy {name!r} for {who or UNKNOWN} in {self.directory}")

    def say(
        self, name: str, who: str | None = None, in_office_hours: bool | None = None,
        **values: Any,
    ) -> str:
        """The entry ``name`` as said to ``who``, every placeholder filled."""
        text = self.entry(name, who)
        if not isinstance(text, str):
            raise WordingError(f"copy {name!r} is a list: use say_list")
        return self.fill(text, who, in_office_hours, values)

    def say_list(self, name: str, who: str | None = None) -> list[str]:
        items = self.entry(name, who)
        if isinstance(items, str):
            raise WordingError(f"copy {name!r} is not a list")
        return [self.fill(item, who, None, {}) for item in items]

    def fill(
        self, text: str, who: str | None, in_office_hours: bool | None,
        values: Mapping[str, Any],
    ) -> str:
        def one(match: re.Match[str]) -> str:
            kind, arg, other = match.groups()
            if arg is None:
                if kind not in values:
                    raise WordingError(f"no value for {{{kind}}} in {text[:60]!r}")
                return str(values[kind])
            if kind in FACTS:
                return self.fact(arg, kind)
            if kind in ("help", "help_inline"):
                lines = self.help_lines(arg, other or who, in_office_hours)
                return "\n".join(f"- {item}" for item in lines) if kind == "help" \
                    else ", ".join(lines)
            if kind == "deadline":
                if arg not in self.deadlines:
                    raise WordingError(f"no deadline {arg!r}")
                return str(self.deadlines[arg])
            if kind == "list":
                return "\n".join(f"- {item}" for item in self.say_list(arg, who))
            if kind == "say":
                return self.say(arg, who, in_office_hours, **values)
            raise WordingError(f"unknown placeholder {match.group(0)}")

        return PLACEHOLDER.sub(one, text)

    # -- contacts

    def fact(self, contact_id: str, kind: str = "phone") -> str:
        found = self.corpus.contacts.get(contact_id)
        value = getattr(found, kind, None) if found is not None else None
        if not value:
            raise WordingError(f"contact {contact_id!r} has no {kind}")
        return str(value)

    def line(self, contact_id: str, note: str = "") -> str:
        """ "Childline: 0800 1111 (free)": a contact as every list shows it."""
        suffix = f" ({note})" if note else ""
        return f"{self.fact(contact_id, 'name')}: {self.fact(contact_id)}{suffix}"

    def helpers(
        self, situation: str, who: str | None, in_office_hours: bool | None = None
    ) -> list[Helper]:
        """Who can help in ``situation``: the table's row for the audience (or adults, or
        everyone), for a "crisis.self_harm" the row of "crisis" when it has none."""
        parts = situation.split(".")
        for depth in range(len(parts), 0, -1):
            rows = self.table.get(".".join(parts[:depth]), {})
            for key in audience_keys(who):
                if key in rows:
                    return [h for h in rows[key] if h.applies(in_office_hours)]
        raise WordingError(f"nobody in who_can_help.yml for {situation!r} ({who or UNKNOWN})")

    def help_lines(
        self, situation: str, who: str | None, in_office_hours: bool | None = None
    ) -> list[str]:
        return [self.line(h.contact, h.note) for h in self.helpers(situation, who,
                                                                    in_office_hours)]


def _situations(table: Mapping[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    """Situations may nest ("crisis": {"self_harm": ...}); audiences are the leaves."""
    audiences = {EVERYONE, ADULTS, UNKNOWN, *AUDIENCES}
    found: dict[str, dict[str, Any]] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if not isinstance(value, Mapping):
            raise WordingError(f"who_can_help.yml: {name} should list audiences")
        rows = {k: v for k, v in value.items() if k in audiences}
        if rows:
            found[name] = rows
        nested = {k: v for k, v in value.items() if k not in audiences}
        found.update(_situations(nested, f"{name}."))
    return found


@lru_cache(maxsize=4)
def wording(deadlines: tuple[tuple[str, int], ...] = ()) -> Wording:
    """The project's copy (cached), with the deadlines the caller can name."""
    return Wording(deadlines=dict(deadlines))
