from __future__ import annotations

from fastapi.testclient import TestClient

from guidance_corpus.loader import load_corpus


def test_chat_gives_the_safe_answer_when_rasa_is_down(client: TestClient) -> None:
    response = client.post("/chat", json={"message": "my son is missing"})
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is True
    text = body["messages"][0]["text"]
    for number in ("999", "0800 1111", "116 000", "0121 303 1888", "101", "0121 675 4806"):
        assert number in text


def test_the_api_issues_conversation_ids_and_refuses_made_up_ones(client: TestClient) -> None:
    first = client.post("/chat", json={"message": "hi"}).json()
    issued = first["conversation_id"]
    assert first["new_conversation"] is True
    # 128 random bits, base64url, between the version, the time and the signature.
    assert issued.startswith("c1.") and len(issued.split(".")[2]) >= 22
    again = client.post("/chat", json={"conversation_id": issued, "message": "hi"}).json()
    assert again["conversation_id"] == issued and again["new_conversation"] is False
    forged = issued[:-4] + ("AAAA" if not issued.endswith("AAAA") else "BBBB")
    other = client.post("/chat", json={"conversation_id": forged, "message": "hi"}).json()
    assert other["new_conversation"] is True and other["conversation_id"] not in (issued, forged)


def test_a_flood_of_chat_messages_gets_429_with_the_emergency_numbers(
    client: TestClient,
) -> None:
    conversation = client.post("/chat", json={"message": "hi"}).json()["conversation_id"]
    statuses = [
        client.post("/chat", json={"conversation_id": conversation, "message": "hi"})
        for _ in range(70)  # the limit is 60 a minute per conversation
    ]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, [r.status_code for r in statuses]
    assert limited[0].headers["retry-after"] == "60"
    assert "999" in limited[0].json()["messages"][0]["text"]
    assert limited[0].json()["conversation_id"] == conversation


def test_the_page_gives_the_emergency_number_from_the_corpus(client: TestClient) -> None:
    number = load_corpus().contacts["police_emergency"].phone
    for path in ("/", "/static/index.html"):
        response = client.get(path)
        assert response.headers["cache-control"] == "no-store", path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        assert f'<a href="tel:{number}" class="emergency-link">{number}</a>' in response.text
        assert "{{" not in response.text, path


def test_page_loads_nothing_from_other_sites(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text
