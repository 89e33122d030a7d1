"""What the page's files must never contain, checked without a browser."""

from __future__ import annotations

import re

from tools.paths import ROOT

STATIC = ROOT / "api" / "static"


def test_script_never_writes_html() -> None:
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.strip().startswith("//"))
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert forbidden not in code, forbidden


def test_page_has_no_inline_script_or_style_and_loads_nothing_from_elsewhere() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "<style" not in html and " style=" not in html
    assert re.findall(r"<[^>]*\son[a-z]+=", html) == []
    for name in ("index.html", "chat.css"):
        text = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), name
        assert "@import" not in text and "url(http" not in text, name
