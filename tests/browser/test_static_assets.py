"""What the page's files must never contain, checked without a browser."""

from __future__ import annotations

import re

from guidance_corpus.loader import load_corpus
from tools.paths import ROOT

STATIC = ROOT / "api" / "static"


def test_no_phone_number_is_typed_into_the_page_or_its_script() -> None:
    """Numbers come from guidance_corpus/contacts.yml: the page names them as {{contact id}}
    (api/routes/pages.py fills them in) and the script reads them from the page. Only the
    pattern that turns numbers into links knows their shapes."""
    numbers = [c.phone for c in load_corpus().contacts.values() if c.phone]
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    start = script.index("var LINKABLE")
    script = script[:start] + script[script.index(");", start):]
    code = "\n".join(line for line in script.splitlines() if not line.strip().startswith("//"))
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    for name, text in (("chat.js", code), ("index.html", html)):
        for number in numbers:
            assert not re.search(rf"(?<![\d-]){re.escape(number)}(?!\d)", text), (name, number)


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
