"""A compact, readable notation for spaCy token patterns.

The pattern file is edited by people who are not spaCy experts, so each pattern is a
short phrase rather than a list of dictionaries:

    word        matches the lower-cased token text
    a|b|c       any of these words
    ~run        any form of the lemma "run" (runs, running, ran ...)
    ~a|b        any form of any of these lemmas
    #num        a number-like token ("50", "three")
    _           any single token
    x?          the token is optional (works with every form above)
"""

from __future__ import annotations

from typing import Any

TokenPattern = dict[str, Any]


class PatternError(ValueError):
    """A phrase in the pattern file cannot be turned into a spaCy pattern."""


def _token(spec: str) -> TokenPattern:
    optional = spec.endswith("?") and len(spec) > 1
    if optional:
        spec = spec[:-1]
    if not spec:
        raise PatternError("empty token")
    if spec == "_":
        token: TokenPattern = {}
    elif spec == "#num":
        token = {"LIKE_NUM": True}
    elif spec.startswith("~"):
        lemmas = [part for part in spec[1:].split("|") if part]
        if not lemmas:
            raise PatternError(f"no lemma after '~' in {spec!r}")
        token = {"LEMMA": {"IN": lemmas}}
    else:
        words = [part for part in spec.split("|") if part]
        token = {"LOWER": words[0]} if len(words) == 1 else {"LOWER": {"IN": words}}
    if optional:
        token["OP"] = "?"
    return token


def phrase_to_pattern(phrase: str) -> list[TokenPattern]:
    """Turn one phrase of the notation into a spaCy token pattern."""
    specs = phrase.split()
    if not specs:
        raise PatternError("empty phrase")
    pattern = [_token(spec) for spec in specs]
    if all(token.get("OP") == "?" for token in pattern):
        raise PatternError(f"every token of {phrase!r} is optional")
    return pattern
