"""The web page's /chat route on the API, in front of the running Rasa server."""

from __future__ import annotations

import uuid

import httpx

from tools.stack import StackConfig


def test_chat_route_passes_messages_through(stack: StackConfig) -> None:
    response = httpx.post(
        f"{stack.api_url}/chat",
        json={"sender": uuid.uuid4().hex, "message": "hello"},
        timeout=60,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is False
    assert any(m.get("buttons") for m in body["messages"])


def test_page_is_served_with_a_strict_content_security_policy(stack: StackConfig) -> None:
    response = httpx.get(f"{stack.api_url}/", timeout=10)
    assert response.status_code == 200
    assert "999" in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
