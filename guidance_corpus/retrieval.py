"""Pure-Python BM25 retrieval over the guidance records.

No third-party dependencies beyond PyYAML (for ``synonyms.yml``). Fields are weighted
(title and keywords boosted), text is stemmed with a small deterministic English suffix
stemmer, stop words are removed and acronyms / synonyms from ``synonyms.yml`` are mapped to
shared concept tokens in both records and queries.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from guidance_corpus.loader import AUDIENCES, Corpus, Record, load_corpus

SYNONYMS_PATH = Path(__file__).resolve().parent / "synonyms.yml"

#: A hit is "confident" when its normalised confidence reaches this value.
CONFIDENCE_THRESHOLD = 0.35

#: Multiplier applied to records that are not written for the requested audience.
AUDIENCE_PENALTY = 0.8

FIELD_WEIGHTS: dict[str, float] = {
    "title": 4.0,
    "keywords": 2.5,
    "section": 1.0,
    "answer": 1.0,
    "young_person_answer": 0.7,
}

#: Query weight of a synonym concept token relative to a literal query word.
CONCEPT_QUERY_WEIGHT = 0.6
CONCEPT_PREFIX = "syn:"

K1 = 1.2
B = 0.75

STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not of off on once only or
    other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would
    you your yours yourself yourselves get got gets getting go going gone went also may
    might must shall s t d ll m re ve let lets please tell know want need ok okay hi
    hello thanks thank really basically right anyone someone something thing things like
    one two year years yr yrs old aged
    """.split()  # noqa: SIM905
)

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_VOWELS = set("aeiouy")


# --------------------------------------------------------------------------- stemming


def _undouble(word: str) -> str:
    if len(word) >= 3 and word[-1] == word[-2] and word[-1] not in "lsz" + "aeiou":
        return word[:-1]
    return word


def _has_vowel(word: str) -> bool:
    return any(ch in _VOWELS for ch in word)


def stem(word: str) -> str:
    """A small deterministic English suffix stemmer (UK spelling as canonical form)."""
    w = word.lower()
    if len(w) <= 3 or w.isdigit():
        return w
    # US -> UK spelling of -ize forms.
    for us, uk in (("ization", "isation"), ("izing", "ising"), ("ized", "ised"), ("izes", "ises")):
        if w.endswith(us):
            w = w[: -len(us)] + uk
            break
    else:
        if w.endswith("ize"):
            w = w[:-3] + "ise"
    # Plurals.
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    # Derivational endings.
    if w.endswith("isation"):
        w = w[:-7] + "ise"
    elif w.endswith("ation") and len(w) > 7:
        w = w[:-5] + "ate"
    # Verb endings.
    if w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ing") and len(w) > 5 and _has_vowel(w[:-3]):
        w = _undouble(w[:-3])
    elif w.endswith("ed") and len(w) > 4 and _has_vowel(w[:-2]):
        w = _undouble(w[:-2])
    elif w.endswith("ly") and len(w) > 5:
        w = w[:-2]
    # Trailing silent e (place/placed, organise/organised).
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Vocabulary:
    spelling: dict[str, tuple[str, ...]]
    # concept id -> tuple of variant phrases, each a tuple of stemmed tokens
    concepts: dict[str, tuple[tuple[str, ...], ...]]


def _raw_tokens(text: str) -> list[str]:
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = text.replace("&", " and ")
    out: list[str] = []
    for tok in _TOKEN_RE.findall(text):
        if tok.endswith("'s"):
            tok = tok[:-2]
        tok = tok.replace("'", "")
        if tok:
            out.append(tok)
    return out


@lru_cache(maxsize=4)
def load_vocabulary(path: str | None = None) -> Vocabulary:
    data = yaml.safe_load(Path(path or SYNONYMS_PATH).read_text(encoding="utf-8")) or {}
    spelling = {
        str(k).lower(): tuple(_raw_tokens(str(v))) for k, v in (data.get("spelling") or {}).items()
    }
    concepts: dict[str, tuple[tuple[str, ...], ...]] = {}
    for cid, variants in (data.get("concepts") or {}).items():
        phrases = []
        for variant in variants:
            toks = [stem(t) for t in _expand_spelling(_raw_tokens(str(variant)), spelling)]
            if toks:
                phrases.append(tuple(toks))
        unique = sorted(set(phrases), key=lambda p: (-len(p), p))
        concepts[str(cid)] = tuple(unique)
    return Vocabulary(spelling=spelling, concepts=concepts)


def _expand_spelling(tokens: list[str], spelling: dict[str, tuple[str, ...]]) -> list[str]:
    out: list[str] = []
    for tok in tokens:
        out.extend(spelling.get(tok, (tok,)))
    return out


def analyse(text: str, vocab: Vocabulary | None = None) -> list[str]:
    """Tokenise, normalise spelling, stem, add concept tokens and drop stop words."""
    vocab = vocab or load_vocabulary()
    raw = _expand_spelling(_raw_tokens(text), vocab.spelling)
    tokens = [stem(t) for t in raw]
    concept_tokens: list[str] = []
    for cid, phrases in vocab.concepts.items():
        # Count non-overlapping matches, longest variants first.
        used: set[int] = set()
        count = 0
        for phrase in phrases:
            n = len(phrase)
            for i in range(len(tokens) - n + 1):
                span = range(i, i + n)
                if tuple(tokens[i : i + n]) == phrase and not used.intersection(span):
                    used.update(span)
                    count += 1
        concept_tokens.extend([f"{CONCEPT_PREFIX}{cid}"] * count)
    content = [
        t
        for r, t in zip(raw, tokens, strict=True)
        if r not in STOP_WORDS and (len(t) > 1 or t.isdigit())
    ]
    return content + concept_tokens


# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class Hit:
    record_id: str
    score: float
    confidence: float
    title: str = ""


class Retriever:
    """BM25 (field-weighted) retriever over a :class:`Corpus`."""

    def __init__(self, corpus: Corpus, vocab: Vocabulary | None = None) -> None:
        self.corpus = corpus
        self.vocab = vocab or load_vocabulary()
        self._ids: list[str] = []
        self._field_tf: list[dict[str, Counter[str]]] = []
        df: Counter[str] = Counter()
        for rid, record in sorted(corpus.records.items()):
            ftf = self._field_counts(record)
            self._ids.append(rid)
            self._field_tf.append(ftf)
            terms: set[str] = set()
            for counts in ftf.values():
                terms.update(counts)
            df.update(terms)
        n = len(self._ids)
        self._avg_len = {
            name: (sum(sum(f[name].values()) for f in self._field_tf) / n if n else 1.0) or 1.0
            for name in FIELD_WEIGHTS
        }
        # BM25F: per-field length-normalised, weighted term frequencies.
        self._tf: list[dict[str, float]] = []
        for ftf in self._field_tf:
            tf: dict[str, float] = {}
            for name, counts in ftf.items():
                length = sum(counts.values())
                norm = 1 - B + B * length / self._avg_len[name]
                for term, count in counts.items():
                    tf[term] = tf.get(term, 0.0) + FIELD_WEIGHTS[name] * count / norm
            self._tf.append(tf)
        self._idf = {t: math.log(1.0 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._max_idf = math.log(1.0 + (n + 0.5) / 0.5)

    def _field_counts(self, record: Record) -> dict[str, Counter[str]]:
        return {
            "title": Counter(analyse(record.title, self.vocab)),
            # Analyse each keyword separately so phrases do not run together.
            "keywords": Counter(t for kw in record.keywords for t in analyse(kw, self.vocab)),
            "section": Counter(analyse(record.source_section, self.vocab)),
            "answer": Counter(analyse(record.answer, self.vocab)),
            "young_person_answer": Counter(analyse(record.young_person_answer or "", self.vocab)),
        }

    def idf(self, term: str) -> float:
        return self._idf.get(term, 0.0)

    def _query_terms(self, query: str) -> dict[str, float]:
        """Query terms with weights (each distinct term once; concepts down-weighted)."""
        return {
            t: (CONCEPT_QUERY_WEIGHT if t.startswith(CONCEPT_PREFIX) else 1.0)
            for t in analyse(query, self.vocab)
        }

    def search(self, query: str, audience: str | None = None, limit: int = 3) -> list[Hit]:
        if audience is not None and audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience!r}")
        terms = self._query_terms(query)
        if not terms:
            return []
        # Coverage: share of the query's information (idf mass) that the corpus knows about.
        # Terms never seen in the corpus count with the maximum idf.
        total_mass = sum(self._idf.get(t, self._max_idf) * c for t, c in terms.items())
        known = {t: c for t, c in terms.items() if t in self._idf}
        if not known:
            return []
        scored: list[tuple[float, float, str]] = []
        for idx, tf in enumerate(self._tf):
            score = 0.0
            matched_mass = 0.0
            for term, qcount in known.items():
                f = tf.get(term)
                if not f:
                    continue
                idf = self._idf[term]
                score += qcount * idf * (f * (K1 + 1)) / (f + K1)
                matched_mass += qcount * idf
            if score <= 0:
                continue
            record = self.corpus.records[self._ids[idx]]
            if audience is not None and audience not in record.audiences:
                score *= AUDIENCE_PENALTY
            scored.append((score, matched_mass, self._ids[idx]))
        scored.sort(key=lambda item: (-item[0], item[2]))
        hits: list[Hit] = []
        for score, matched_mass, rid in scored[: max(limit, 0)]:
            coverage = matched_mass / total_mass if total_mass else 0.0
            strength = 1.0 - math.exp(-score / 6.0)
            confidence = max(0.0, min(1.0, coverage * strength))
            hits.append(
                Hit(
                    record_id=rid,
                    score=round(score, 6),
                    confidence=round(confidence, 6),
                    title=self.corpus.records[rid].title,
                )
            )
        return hits


def is_confident(hit: Hit | None, threshold: float = CONFIDENCE_THRESHOLD) -> bool:
    """True when ``hit`` is good enough to answer from."""
    return hit is not None and hit.confidence >= threshold


@lru_cache(maxsize=1)
def default_retriever() -> Retriever:
    return Retriever(load_corpus())


def search(query: str, audience: str | None = None, limit: int = 3) -> list[Hit]:
    """Search the default corpus. Results prefer (not require) records for ``audience``."""
    return default_retriever().search(query, audience=audience, limit=limit)
