"""BM25 retrieval over the guidance records (the `bm25s` library, Snowball stems).

Each record is indexed as one document made of its title and keywords (repeated, so they
weigh more), the first questions it answers (`questions:` in the record; never the held-out
ones), its section name and its answers. Text is stemmed with PyStemmer's English
Snowball stemmer, stop words are removed, and acronyms / synonyms from ``synonyms.yml`` are
mapped to shared concept tokens in both records and queries, so "LAC" meets "looked after
child". spaCy is not used here because the API's runtime, which also searches, has none.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import Stemmer
import yaml

from guidance_corpus.bm25_index import BM25
from guidance_corpus.loader import AUDIENCES, Corpus, Record, load_corpus

SYNONYMS_PATH = Path(__file__).resolve().parent / "synonyms.yml"

#: A hit is "confident" when its normalised confidence reaches this value.
CONFIDENCE_THRESHOLD = 0.35

#: Multiplier applied to records that are not written for the requested audience.
AUDIENCE_PENALTY = 0.8

#: How many times each field is repeated in a record's document: BM25 has no fields, and
#: repetition is the plain way to make a title word count for more than an answer word.
FIELD_REPEATS: dict[str, int] = {
    "title": 3,
    "keywords": 2,
    "questions": 1,
    "section": 1,
    "answer": 1,
    "young_person_answer": 1,
}

#: How many of a record's questions (its first) go into its document. Beyond about 50 the
#: questions swamp the record's own title and answer in its one document: with all of
#: them (~100 a record) the project's question set fell from 0.96 to 0.94 top-3 and an
#: off-topic query became confident, while the record choice in Rasa, led by the
#: classifier that learns every question, was the same at 48 as with all (0.945 held-out).
QUESTIONS_INDEXED = 48

#: Query weight of a synonym concept token relative to a literal query word.
CONCEPT_QUERY_WEIGHT = 0.6
CONCEPT_PREFIX = "syn:"

K1 = 1.2
B = 0.75
#: Scores are turned into a 0-1 strength as 1 - exp(-score / STRENGTH_SCALE). Chosen so
#: the median held-out question is confident and no off-topic query in
#: tests/corpus/retrieval_questions.yml is (bm25s scores run lower than a BM25F sum).
STRENGTH_SCALE = 3.0

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
# organize/organization/organizing -> organise...: one spelling, so one stem.
_IZE_RE = re.compile(r"iz(e|es|ed|ing|ation|ations)$")


# --------------------------------------------------------------------------- stemming

_STEMMER = Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """Snowball (Porter 2) English stem; US -ize spellings are folded into UK -ise first."""
    w = word.lower()
    if w.isdigit():
        return w
    w = _IZE_RE.sub(r"is\1", w)
    return _STEMMER.stemWord(w)


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
    """BM25 over a :class:`Corpus`, one document per record."""

    def __init__(self, corpus: Corpus, vocab: Vocabulary | None = None) -> None:
        self.corpus = corpus
        self.vocab = vocab or load_vocabulary()
        self._ids = sorted(corpus.records)
        documents = [self._document(corpus.records[rid]) for rid in self._ids]
        self._bm25 = BM25(k1=K1, b=B)
        self._bm25.index(documents, show_progress=False)
        n = len(documents)
        df: dict[str, int] = {}
        for tokens in documents:
            for term in set(tokens):
                df[term] = df.get(term, 0) + 1
        self._idf = {t: math.log(1.0 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._max_idf = math.log(1.0 + (n + 0.5) / 0.5)
        self._terms = [set(tokens) for tokens in documents]

    def _document(self, record: Record) -> list[str]:
        fields = {
            "title": [record.title],
            # Each keyword and question is analysed alone so phrases do not run together.
            "keywords": list(record.keywords),
            "questions": list(record.questions[:QUESTIONS_INDEXED]),
            "section": [record.source_section],
            "answer": [record.answer],
            "young_person_answer": [record.young_person_answer or ""],
        }
        tokens: list[str] = []
        for name, texts in fields.items():
            analysed = [t for text in texts for t in analyse(text, self.vocab)]
            tokens.extend(analysed * FIELD_REPEATS[name])
        return tokens

    def idf(self, term: str) -> float:
        return self._idf.get(term, 0.0)

    def _query_terms(self, query: str) -> dict[str, float]:
        """Query terms with weights (each distinct term once; concepts down-weighted)."""
        return {
            t: (CONCEPT_QUERY_WEIGHT if t.startswith(CONCEPT_PREFIX) else 1.0)
            for t in analyse(query, self.vocab)
        }

    def scores(self, query: str) -> dict[str, float]:
        """BM25 score of every record for ``query`` (0 where no query word occurs)."""
        known = {t: w for t, w in self._query_terms(query).items() if t in self._idf}
        total = np.zeros(len(self._ids), dtype=float)
        for term, weight in known.items():
            total += weight * self._bm25.get_scores([term])
        return dict(zip(self._ids, total.tolist(), strict=True))

    def search(self, query: str, audience: str | None = None, limit: int = 3) -> list[Hit]:
        if audience is not None and audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience!r}")
        terms = self._query_terms(query)
        known = {t: w for t, w in terms.items() if t in self._idf}
        if not known:
            return []
        # Coverage: share of the query's information (idf mass) that a record matches.
        # Terms never seen in the corpus count with the maximum idf.
        total_mass = sum(self._idf.get(t, self._max_idf) * w for t, w in terms.items())
        scored: list[tuple[float, str]] = []
        for rid, score in self.scores(query).items():
            if score <= 0:
                continue
            if audience is not None and audience not in self.corpus.records[rid].audiences:
                score *= AUDIENCE_PENALTY
            scored.append((score, rid))
        scored.sort(key=lambda item: (-item[0], item[1]))
        hits: list[Hit] = []
        for score, rid in scored[: max(limit, 0)]:
            terms_here = self._terms[self._ids.index(rid)]
            matched = sum(self._idf[t] * w for t, w in known.items() if t in terms_here)
            coverage = matched / total_mass if total_mass else 0.0
            strength = 1.0 - math.exp(-score / STRENGTH_SCALE)
            hits.append(
                Hit(
                    record_id=rid,
                    score=round(score, 6),
                    confidence=round(max(0.0, min(1.0, coverage * strength)), 6),
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
