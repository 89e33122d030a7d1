"""Phone numbers and services, read from the guidance corpus (the one source of truth).

Actions never write a phone number themselves: they name a contact id and this module
formats it, so a number changed in guidance_corpus/contacts.yml changes everywhere.
"""

from __future__ import annotations

from guidance_corpus.loader import Contact, load_corpus


def contact(contact_id: str) -> Contact:
    return load_corpus().contacts[contact_id]


def phone(contact_id: str) -> str:
    number = contact(contact_id).phone
    if not number:
        raise KeyError(f"contact {contact_id!r} has no phone number")
    return number


def line(contact_id: str, note: str = "") -> str:
    """One bullet line: "Childline: 0800 1111 (free, any time)"."""
    found = contact(contact_id)
    suffix = f" ({note})" if note else ""
    return f"- {found.name}: {phone(contact_id)}{suffix}"
