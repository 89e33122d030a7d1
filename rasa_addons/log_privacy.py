"""Keep what people write, and what the assistant knows about a child, out of every log.

Rasa and rasa-sdk put message text and whole trackers into log lines (at DEBUG, and in
some warnings and exception messages, e.g. a rejected action reply quotes the reply).
A filter on one logger would miss records that other loggers create, and handlers are
configured by Rasa after we start; so this replaces the log *record factory*, which every
record in the process passes through when it is made, whatever logger or handler.

Each record is rendered once and then:
- anything quoted ('...' or "...") and anything in braces or brackets (dicts, lists,
  JSON: trackers, slot values, parse data) is replaced by ``[withheld]``;
- an exception keeps its type and its stack (code locations) but not its message, which
  can quote the input that caused it;
- warnings go through logging (``captureWarnings``) and so through the same rules.
What is left is what an operator needs: which component, what kind of failure, where.
"""

from __future__ import annotations

import logging
import re
import traceback
from types import TracebackType

WITHHELD = "[withheld]"
MAX_CHARS = 500

# Quoted spans, then bracketed spans (greedy to the last closer: a tracker's nested dicts
# are withheld whole rather than leaving fragments).
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|‘[^’\n]*’|“[^”\n]*”")
_BRACKETED = re.compile(r"\{.*\}|\[(?!withheld\]).*\]", re.DOTALL)

_installed = False
# Third-party deprecation notices (pyparsing, click, pkg_resources...) fill the start-up
# log with nothing an operator can act on; with warnings now going through logging they
# can be dropped in one place.
_NOISE = ("DeprecationWarning", "PendingDeprecationWarning", "declare_namespace")


class _DropDeprecationNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not any(word in record.getMessage() for word in _NOISE)


def scrub(text: str) -> str:
    """The message with anything that may be conversation content withheld."""
    text = _QUOTED.sub(WITHHELD, text)
    text = _BRACKETED.sub(WITHHELD, text)
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS] + " [cut]"
    return text


def safe_traceback(
    exc_type: type[BaseException] | None,
    exc: BaseException | None,
    tb: TracebackType | None,
) -> str:
    """A traceback with every frame but without any exception's message."""
    if exc_type is None or exc is None:
        return ""
    summary = traceback.TracebackException(exc_type, exc, tb)
    parts: list[str] = []
    current: traceback.TracebackException | None = summary
    while current is not None:
        frames = "".join(current.stack.format())
        name = current.exc_type.__qualname__ if current.exc_type else "Exception"
        parts.append(f"Traceback (most recent call last):\n{frames}{name}: {WITHHELD}")
        current = current.__cause__ or current.__context__
    return "\n\nWhile handling:\n".join(reversed(parts))


def sanitise(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a record whose arguments do not fit its format string
        message = str(record.msg)
    record.msg = scrub(message)
    record.args = None
    if record.exc_info:
        record.exc_text = safe_traceback(*record.exc_info)
        record.exc_info = None
    return record


def install() -> None:
    """Sanitise every log record made in this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        return sanitise(make_record(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").addFilter(_DropDeprecationNoise())
    _installed = True
