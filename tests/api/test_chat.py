from __future__ import annotations

from fastapi.testclient import TestClient

SENDER = "abcdef0123456789"


def test_chat_gives_the_safe_answer_when_rasa_is_down(client: TestClient) -> None:
    response = client.post("/chat", json={"sender": SENDER, "message": "my son is missing"})
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is True
    text = body["messages"][0]["text"]
    for number in ("999", "0800 1111", "116 000", "0121 303 1888", "101", "0121 675 4806"):
        assert number in text


def test_chat_rejects_a_sender_id_that_could_identify_someone(client: TestClient) -> None:
    response = client.post("/chat", json={"sender": "192.168.0.1", "message": "hi"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "sender"]


def test_page_loads_nothing_from_other_sites(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text
