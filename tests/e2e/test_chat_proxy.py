"""The web page's /chat route on the API, in front of the running Rasa server."""

from __future__ import annotations

import uuid

import httpx

from tools.stack import StackConfig


def test_chat_route_passes_messages_through_in_one_conversation(stack: StackConfig) -> None:
    first = httpx.post(f"{stack.api_url}/chat", json={"message": "hello"}, timeout=60)
    assert first.status_code == 200
    body = first.json()
    assert body["degraded"] is False and body["new_conversation"] is True
    assert any(m.get("buttons") for m in body["messages"])
    conversation = body["conversation_id"]
    second = httpx.post(
        f"{stack.api_url}/chat",
        json={"conversation_id": conversation, "message": "I'm a foster carer"}, timeout=60,
    ).json()
    # The same conversation goes on: the audience answer is understood, not a new greeting.
    assert second["conversation_id"] == conversation and second["new_conversation"] is False
    assert "Who are you?" not in " ".join(m.get("text", "") for m in second["messages"])


def test_a_made_up_conversation_id_starts_a_new_conversation(stack: StackConfig) -> None:
    forged = f"c1.{uuid.uuid4().hex[:8]}.{uuid.uuid4().hex}.AAAAAAAAAAAAAAAAAAAAAA"
    body = httpx.post(f"{stack.api_url}/chat",
                      json={"conversation_id": forged, "message": "hello"}, timeout=60).json()
    assert body["new_conversation"] is True and body["conversation_id"] != forged


def test_page_is_served_with_a_strict_content_security_policy(stack: StackConfig) -> None:
    response = httpx.get(f"{stack.api_url}/", timeout=10)
    assert response.status_code == 200
    assert "999" in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_typed_commands_always_get_a_reply_and_the_conversation_goes_on(
    stack: StackConfig,
) -> None:
    first = httpx.post(f"{stack.api_url}/chat", json={"message": "hello"}, timeout=60).json()
    conversation = first["conversation_id"]
    for typed in ("/session_start", "/restart"):
        body = httpx.post(f"{stack.api_url}/chat",
                          json={"conversation_id": conversation, "message": typed},
                          timeout=60).json()
        text = " ".join(m.get("text", "") for m in body["messages"])
        assert body["degraded"] is False and "999" in text, (typed, body)
        assert "not working" not in text, typed
    after = httpx.post(f"{stack.api_url}/chat",
                       json={"conversation_id": conversation, "message": "what is MASH"},
                       timeout=60).json()
    assert "MASH" in " ".join(m.get("text", "") for m in after["messages"])
