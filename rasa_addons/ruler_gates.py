"""Run the entity ruler's patterns only where a word they need is in the message.

The project's spaCy pipeline ends in an entity ruler with about 300 token patterns
(rasa_addons/patterns.yml), most of them written with word lists ("she|he|they",
"~kill|hurt"). spaCy's Matcher checks every distinct word list against every token of
every message in Python, whether or not the rest of the pattern could match: about 500
lists, 1.6 ms for a 20-word message, and the pipeline runs twice per message (on the
lower-cased text for the featurizers, on the text itself for the entities and the
safety check). The profile in issue 13 put about 6% of Rasa's CPU there.

A pattern can only match a message that contains one of the words of each of its
required tokens. So each pattern is filed under one required token's words (the
shortest list it has, by lower-cased text or by lemma), in a small Matcher per word,
and a message runs only the Matchers of the words it contains (plus one for the few
patterns with no such token). The matches are the same set as spaCy's, so the
ruler's own ordering (longest first, then earliest) gives the same entities, with one
exception spaCy leaves to chance: two labels on exactly the same span, where the
winner depends on the order the Matcher found them in. For such a message this runs
spaCy's own `match`, so the answer is always spaCy's. The test compares the two on
every message the project has (the NLU examples, the records' questions, the safety
sets) and on sentences built from every pattern.

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from typing import Any, NamedTuple

from spacy.matcher import Matcher
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc

_original_match = EntityRuler.match
ATTRIBUTE = "_addon_ruler_gates"
#: Token attributes a gate can read, as the Matcher names them.
GATE_ATTRS = ("LOWER", "LEMMA")
#: Operators under which a token must be there for the pattern to match.
REQUIRED_OPS = (None, "+", "1")


class Gates(NamedTuple):
    built_for: tuple[int, int]  # (id of the ruler's Matcher, number of patterns)
    by_word: dict[tuple[str, str], Matcher]  # (attribute, word) -> its patterns
    always: Matcher | None  # patterns with no required word


def gate(pattern: list[dict[str, Any]]) -> tuple[str, frozenset[str]] | None:
    """The required token with the fewest words, as (attribute, words); None if none."""
    best: tuple[str, frozenset[str]] | None = None
    for token in pattern:
        spec = {key.upper(): value for key, value in token.items()}
        if spec.get("OP") not in REQUIRED_OPS:
            continue
        for attr in GATE_ATTRS:
            value = spec.get(attr)
            if isinstance(value, str):
                words = frozenset([value])
            elif isinstance(value, dict) and set(value) == {"IN"}:
                words = frozenset(value["IN"])
            else:
                continue
            if best is None or len(words) < len(best[1]):
                best = (attr, words)
    return best


def build(ruler: EntityRuler) -> Gates:
    filed: dict[tuple[str, str], list[tuple[str, list[dict[str, Any]]]]] = defaultdict(list)
    ungated: list[tuple[str, list[dict[str, Any]]]] = []
    for label, patterns in ruler.token_patterns.items():
        for pattern in patterns:
            found = gate(pattern)
            if found is None:
                ungated.append((label, pattern))
                continue
            attr, words = found
            for word in words:
                filed[(attr, word)].append((label, pattern))

    def matcher(entries: list[tuple[str, list[dict[str, Any]]]]) -> Matcher:
        made = Matcher(ruler.nlp.vocab, validate=False)
        for label, pattern in entries:
            made.add(label, [pattern])
        return made

    return Gates(_built_for(ruler), {key: matcher(entries) for key, entries in filed.items()},
                 matcher(ungated) if ungated else None)


def _built_for(ruler: EntityRuler) -> tuple[int, int]:
    return id(ruler.matcher), len(ruler)


def gates_of(ruler: EntityRuler) -> Gates:
    gates: Gates | None = ruler.__dict__.get(ATTRIBUTE)
    if gates is None or gates.built_for != _built_for(ruler):
        gates = ruler.__dict__[ATTRIBUTE] = build(ruler)
    return gates


def token_matches(gates: Gates, doc: Doc) -> list[tuple[int, int, int]]:
    """Every (label, start, end) match of the ruler's token patterns in `doc`."""
    run: dict[int, Matcher] = {}
    for token in doc:
        for key in (("LOWER", token.lower_), ("LEMMA", token.lemma_)):
            found = gates.by_word.get(key)
            if found is not None:
                run[id(found)] = found
    if gates.always is not None:
        run[id(gates.always)] = gates.always
    return [match for matcher in run.values() for match in matcher(doc)]


def match(self: EntityRuler, doc: Doc) -> list[tuple[int, int, int]]:
    # EntityRuler.match of spaCy 3.4, with the token patterns run through the gates.
    self._require_patterns()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="\\[W036")
        matches = token_matches(gates_of(self), doc) + list(self.phrase_matcher(doc))
    final = {(m_id, start, end) for m_id, start, end in matches if start != end}
    if len({(start, end) for _m_id, start, end in final}) < len(final):
        return _original_match(self, doc)  # two labels on one span: spaCy's order decides
    return sorted(final, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)


def install() -> None:
    EntityRuler.match = match  # type: ignore[method-assign]


def uninstall() -> None:
    EntityRuler.match = _original_match  # type: ignore[method-assign]
