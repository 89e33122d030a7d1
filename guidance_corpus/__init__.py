"""Structured guidance corpus for the Birmingham "Missing from Home or Care" assistant.

Plain Python (PyYAML; bm25s and PyStemmer for search), importable from both runtimes.
Import ``load_corpus`` from :mod:`guidance_corpus.loader` and ``search`` from
:mod:`guidance_corpus.retrieval`.
"""

from __future__ import annotations

from guidance_corpus.loader import (
    AUDIENCES,
    TOPICS,
    Contact,
    Corpus,
    CorpusError,
    Document,
    KeyFact,
    Record,
    load_corpus,
)

__all__ = [
    "AUDIENCES",
    "TOPICS",
    "Contact",
    "Corpus",
    "CorpusError",
    "Document",
    "KeyFact",
    "Record",
    "load_corpus",
]
