"""What the actions say: the copy in bot/copy/, rendered by guidance_corpus/wording.py.

Actions never write a reply, a phone number or a deadline themselves: they name a copy
entry (``say("referral.stopped", who)``), and the copy names contacts and deadlines, so
a number changed in guidance_corpus/contacts.yml, a deadline changed in a record or a
sentence changed in bot/copy/ changes every reply. The renderer is given the missing
clock's deadlines (missing_clock/copy.py), which only this runtime has.
"""

from __future__ import annotations

from typing import Any

from guidance_corpus.loader import Contact
from missing_clock.copy import copy


def say(name: str, who: str | None = None, in_office_hours: bool | None = None,
        **values: Any) -> str:
    return copy().say(name, who, in_office_hours, **values)


def say_list(name: str, who: str | None = None) -> list[str]:
    return copy().say_list(name, who)


def contact(contact_id: str) -> Contact:
    return copy().corpus.contacts[contact_id]


def phone(contact_id: str) -> str:
    return copy().fact(contact_id, "phone")


def help_lines(situation: str, who: str | None, in_office_hours: bool | None = None) -> str:
    """The who-can-help table's contacts for ``situation``, one "- ..." line each."""
    return "\n".join(f"- {item}" for item in copy().help_lines(situation, who, in_office_hours))
