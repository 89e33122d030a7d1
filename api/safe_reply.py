"""What the chat says when the assistant itself cannot answer.

If Rasa is down, slow or broken, a person may still be in danger: the page must still
show the emergency route and the helplines. The words are the bot's copy
(bot/copy/everyone.yml, "safe_reply"), the helplines its who-can-help table, and every
number comes from the corpus, rendered by the one module that renders all the copy.
"""

from __future__ import annotations

from guidance_corpus.wording import wording


def unavailable_messages() -> list[dict[str, str]]:
    return _with_helplines("safe_reply.unavailable")


def rate_limited_messages() -> list[dict[str, str]]:
    return _with_helplines("safe_reply.rate_limited")


def silent_turn_messages() -> list[dict[str, str]]:
    """Rasa answered with nothing (a typed command such as "/session_start", or a turn
    no rule replies to): the person must never be left looking at no reply."""
    return _with_helplines("safe_reply.silent_turn")


def _with_helplines(opening: str) -> list[dict[str, str]]:
    copy = wording()
    return [{"text": copy.say("safe_reply.helplines", opening=copy.say(opening))}]
