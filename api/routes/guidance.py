"""GET /guidance/search and GET /guidance/{id}: the guidance corpus, read-only and public.

The web chat uses these to show the full guidance behind an answer ("Read the full
guidance"). Nothing here is personal: no query is logged or stored.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from guidance_corpus.loader import Audience, Contact, Corpus, load_corpus
from guidance_corpus.retrieval import is_confident, search

router = APIRouter(prefix="/guidance", tags=["guidance"])


# A search query is a question, not a document: anything longer is cut, not refused.
MAX_QUERY_CHARS = 500


class SearchHit(BaseModel):
    id: str
    title: str
    citation: str
    score: float
    confidence: float
    confident: bool
    answer: str


class SearchOut(BaseModel):
    query: str
    audience: Audience | None
    hits: list[SearchHit]


class KeyFactOut(BaseModel):
    text: str


class ContactOut(BaseModel):
    id: str
    name: str
    description: str
    phone: str | None = None
    phone_note: str | None = None
    email: str | None = None
    url: str | None = None
    hours: str | None = None


class RelatedOut(BaseModel):
    id: str
    title: str


class RecordOut(BaseModel):
    id: str
    title: str
    audiences: list[str]
    topic: str
    answer: str
    young_person_answer: str | None
    key_facts: list[KeyFactOut]
    contacts: list[ContactOut]
    citation: str
    related: list[RelatedOut]


def _contact(contact: Contact) -> ContactOut:
    return ContactOut(
        id=contact.id,
        name=contact.name,
        description=contact.description,
        phone=contact.phone,
        phone_note=contact.phone_note,
        email=contact.email,
        url=contact.url,
        hours=contact.hours,
    )


def _record(corpus: Corpus, record_id: str) -> RecordOut:
    record = corpus.records[record_id]
    return RecordOut(
        id=record.id,
        title=record.title,
        audiences=list(record.audiences),
        topic=record.topic,
        answer=record.answer,
        young_person_answer=record.young_person_answer,
        key_facts=[KeyFactOut(text=fact.text) for fact in record.key_facts],
        contacts=[_contact(c) for c in corpus.contacts_for(record_id)],
        citation=corpus.citation(record_id),
        related=[RelatedOut(id=r, title=corpus.records[r].title) for r in record.related],
    )


@router.get("/search")
async def search_guidance(
    q: str = Query(min_length=1, max_length=20_000),
    audience: Audience | None = None,
    limit: int = Query(default=3, ge=1, le=10),
) -> SearchOut:
    corpus = load_corpus()
    query = q[:MAX_QUERY_CHARS]
    hits = [
        SearchHit(
            id=hit.record_id,
            title=hit.title,
            citation=corpus.citation(hit.record_id),
            score=hit.score,
            confidence=hit.confidence,
            confident=is_confident(hit),
            answer=corpus.records[hit.record_id].answer_for(audience),
        )
        for hit in search(query, audience=audience, limit=limit)
    ]
    return SearchOut(query=query, audience=audience, hits=hits)


@router.get("/{record_id}")
async def guidance_record(record_id: str) -> RecordOut:
    corpus = load_corpus()
    if record_id not in corpus.records:
        raise HTTPException(status_code=404, detail=f"No guidance record with id '{record_id}'.")
    return _record(corpus, record_id)
