"""GET /guidance/search and GET /guidance/{id}: public, read-only views of the corpus."""

from __future__ import annotations

from fastapi.testclient import TestClient

from guidance_corpus.loader import load_corpus


def test_search_finds_help_tonight_for_a_young_person(client: TestClient) -> None:
    response = client.get(
        "/guidance/search", params={"q": "where can I get help tonight", "audience": "young_person"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["audience"] == "young_person"
    top = body["hits"][0]
    assert top["id"] == "yp-help-tonight"
    assert set(top) >= {"id", "title", "citation", "score", "confidence", "answer"}
    assert top["citation"] == load_corpus().citation("yp-help-tonight")
    assert top["citation"].startswith("From: ")
    # Young people get the plain-words answer.
    assert top["answer"] == load_corpus().records["yp-help-tonight"].young_person_answer
    assert "116 000" in top["answer"]
    assert 0 <= top["confidence"] <= 1


def test_search_gives_adults_the_full_answer(client: TestClient) -> None:
    response = client.get(
        "/guidance/search", params={"q": "where can I get help tonight", "audience": "carer"}
    )
    hits = {hit["id"]: hit for hit in response.json()["hits"]}
    assert hits["yp-help-tonight"]["answer"] == load_corpus().records["yp-help-tonight"].answer


def test_search_without_audience_and_with_a_limit(client: TestClient) -> None:
    response = client.get("/guidance/search", params={"q": "return interview", "limit": 5})
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert 1 <= len(hits) <= 5
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_search_with_nothing_known_returns_no_hits(client: TestClient) -> None:
    response = client.get("/guidance/search", params={"q": "zxqv wqpl"})
    assert response.status_code == 200
    assert response.json()["hits"] == []


def test_search_rejects_an_unknown_audience_and_an_empty_query(client: TestClient) -> None:
    assert client.get("/guidance/search", params={"q": "help", "audience": "x"}).status_code == 422
    assert client.get("/guidance/search", params={"q": ""}).status_code == 422
    assert client.get("/guidance/search").status_code == 422


def test_search_cuts_a_very_long_query_rather_than_failing(client: TestClient) -> None:
    response = client.get("/guidance/search", params={"q": "help tonight " * 1000})
    assert response.status_code == 200
    assert len(response.json()["query"]) <= 500


def test_record_has_everything_the_page_shows(client: TestClient) -> None:
    response = client.get("/guidance/yp-help-tonight")
    assert response.status_code == 200
    body = response.json()
    record = load_corpus().records["yp-help-tonight"]
    assert body["id"] == record.id
    assert body["title"] == record.title
    assert body["answer"] == record.answer
    assert body["young_person_answer"] == record.young_person_answer
    assert body["citation"] == load_corpus().citation(record.id)
    assert [r["id"] for r in body["related"]] == list(record.related)
    assert all(r["title"] for r in body["related"])
    phones = {c["id"]: c["phone"] for c in body["contacts"]}
    assert phones["runaway_helpline"] == "116 000"
    assert phones["police_emergency"] == "999"
    assert phones["childline"] == "0800 1111"


def test_record_key_facts_are_listed(client: TestClient) -> None:
    body = client.get("/guidance/lac-strategy-meeting-72-hours").json()
    record = load_corpus().records["lac-strategy-meeting-72-hours"]
    assert [fact["text"] for fact in body["key_facts"]] == [f.text for f in record.key_facts]
    assert body["key_facts"]


def test_every_record_is_served(client: TestClient) -> None:
    for record_id in load_corpus().records:
        assert client.get(f"/guidance/{record_id}").status_code == 200, record_id


def test_unknown_record_is_404(client: TestClient) -> None:
    response = client.get("/guidance/no-such-record")
    assert response.status_code == 404
    assert "no-such-record" in response.json()["detail"]
