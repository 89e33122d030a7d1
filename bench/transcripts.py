"""Record what the assistant does in a fixed set of conversations, to show that a change
made for speed changed no behaviour.

Drives each conversation of the bench's mix (bench/mix.py: guidance, the search
walkthrough, a MASH referral) and a few more (a licence holder's concern, a crisis
inside a form, a stop and a change of audience) one after another through a running
Rasa's REST channel, and writes for each: every message sent with the replies, and the
conversation's tracker as Rasa stores it (events without timestamps; confidences
rounded to 4 places, so that float noise is not a difference). Two recordings are
compared with `--compare A B`, which prints every difference and exits 1 if there is one.

Usage: python -m bench.transcripts --url http://127.0.0.1:5005 --token RASA_TOKEN --out a.json
       python -m bench.transcripts --compare a.json b.json
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx

from bench.mix import MIX, SCRIPTS, Kind


def say(client: httpx.Client, url: str, sender: str, text: str) -> list[dict[str, Any]]:
    response = client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text})
    response.raise_for_status()
    return response.json()


def reply_text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def hold(client: httpx.Client, url: str, sender: str, kind: Kind) -> list[dict[str, Any]]:
    turns = []
    reply = ""
    for text in kind.opening:
        messages = say(client, url, sender, text)
        turns.append({"sent": text, "replies": messages})
        reply = reply_text(messages)
    for _ in range(kind.max_turns):
        if re.search(kind.done, reply, re.I):
            break
        text = kind.answer(reply) or "not sure"
        messages = say(client, url, sender, text)
        turns.append({"sent": text, "replies": messages})
        reply = reply_text(messages)
    return turns


# The time of each event, the random id of each message, and the conversation's id
# (it holds the recording's tag).
UNCOMPARED = frozenset({"timestamp", "recipient_id", "message_id"})


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items() if k not in UNCOMPARED}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


# Values that differ between any two runs: the moment of the run, references numbered
# by the API, and the random part of each conversation's id.
VOLATILE = [
    (re.compile(r"MR-\d{4}-\d{6}"), "MR-<ref>"),
    (re.compile(r"\b\d{1,2}:\d{2}\b"), "<hh:mm>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}T[\d:.+-]+"), "<iso time>"),
    (re.compile(r"\b(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b"), "<day>"),
    (re.compile(r"\b\d{1,2} (January|February|March|April|May|June|July|August|"
                r"September|October|November|December)\b"), "<date>"),
]


def _stable(value: Any) -> Any:
    text = json.dumps(_rounded(value), sort_keys=True)
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return json.loads(text)


def record(url: str, token: str, tag: str) -> dict[str, Any]:
    recorded: dict[str, Any] = {}
    with httpx.Client(timeout=120) as client:
        conversations: list[tuple[str, Any]] = [(k.name, k) for k in MIX]
        conversations += list(SCRIPTS.items())
        for name, what in conversations:
            sender = f"transcript-{tag}-{name}"
            if isinstance(what, Kind):
                turns = hold(client, url, sender, what)
            else:
                turns = [{"sent": t, "replies": say(client, url, sender, t)} for t in what]
            tracker = client.get(f"{url}/conversations/{sender}/tracker",
                                 params={"token": token}).json()
            recorded[name] = _stable({
                "turns": turns,
                "events": tracker.get("events", []),
                "slots": tracker.get("slots", {}),
                "active_loop": tracker.get("active_loop", {}),
            })
    return recorded


def compare(a: Path, b: Path) -> int:
    left, right = _stable(json.loads(a.read_text())), _stable(json.loads(b.read_text()))
    differences = 0
    for name in sorted(set(left) | set(right)):
        x = json.dumps(left.get(name), indent=1, sort_keys=True).splitlines()
        y = json.dumps(right.get(name), indent=1, sort_keys=True).splitlines()
        diff = list(difflib.unified_diff(x, y, f"{a}:{name}", f"{b}:{name}", lineterm="", n=4))
        if diff:
            differences += 1
            print("\n".join(diff))
        else:
            turns = len((left.get(name) or {}).get("turns", []))
            events = len((left.get(name) or {}).get("events", []))
            print(f"{name}: same ({turns} turns, {events} events)")
    print(f"transcripts: {differences} conversation(s) differ")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--token", default="")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--tag", default="run", help="part of each conversation's sender id")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not (args.url and args.out):
        parser.error("--url and --out are needed to record")
    args.out.write_text(json.dumps(record(args.url, args.token, args.tag), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
