"""Find an event's class by its type name without walking Rasa's class tree each time.

Rasa 3.6 turns every stored event back into an object with `Event.from_parameters`,
which calls `Event.resolve_by_type`, which lists *all* subclasses of `Event` (recursively,
with an `inspect.isabstract` check on each) and scans them, for every single event. A
conversation's tracker is rebuilt from the tracker store on every message, so a 200-event
referral conversation does that walk 200 times per message: the profile in issue 13 put
about 4% of Rasa's CPU there (`all_subclasses`).

This keeps the answer per type name. It is the same answer: the first class in Rasa's
own order whose `type_name` matches, found by Rasa's own function the first time a name
is asked for. Names Rasa does not know (and `topic`, and calls with a default) are not
kept, so they go through Rasa's function every time, with its errors and fallbacks. The
set of event classes is fixed once Rasa is imported; a class defined later with a new
type name is still found, since unknown names are never kept.

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

from rasa.shared.core.events import Event

_original = Event.resolve_by_type
_known: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    found = _known.get(type_name)
    if found is not None:
        return found
    resolved = _original(type_name, default)
    if resolved is not None and resolved is not default and resolved.type_name == type_name:
        _known[type_name] = resolved
    return resolved


def install() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)
