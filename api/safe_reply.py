"""What the chat says when the assistant itself cannot answer.

If Rasa is down, slow or broken, a person may still be in danger: the page must still
show the emergency route and the helplines, read from the corpus like every number.
"""

from __future__ import annotations

from guidance_corpus.loader import load_corpus


def unavailable_messages() -> list[dict[str, str]]:
    return _with_helplines("Sorry, the assistant is not working right now.")


def rate_limited_messages() -> list[dict[str, str]]:
    return _with_helplines(
        "That is a lot of messages in a short time, so I have paused for a minute: "
        "please wait, then send your message again."
    )


def silent_turn_messages() -> list[dict[str, str]]:
    """Rasa answered with nothing (a typed command such as "/session_start", or a turn
    no rule replies to): the person must never be left looking at no reply."""
    return _with_helplines(
        "I'm still here. Tell me in your own words what is happening or what you would "
        "like to know."
    )


def _with_helplines(opening: str) -> list[dict[str, str]]:
    contacts = load_corpus().contacts

    def number(contact_id: str) -> str:
        return f"{contacts[contact_id].name}: {contacts[contact_id].phone}"

    return [
        {
            "text": (
                f"{opening} "
                f"If anyone is in danger, phone {contacts['police_emergency'].phone} now.\n"
                f"- Young people: {number('childline')}, or {number('runaway_helpline')}\n"
                f"- Worried about a child: {number('mash')}; police (not an emergency): "
                f"{contacts['police_non_emergency'].phone}\n"
                f"- Outside office hours: {number('emergency_duty_team')}"
            )
        }
    ]
