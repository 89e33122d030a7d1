"""Copy a slot the way `copy.copy` does, without its generic machinery.

Every new tracker copies all of the domain's slots (`DialogueStateTracker.__init__`:
`copy.copy(slot)` for each), and Rasa 3.6 makes several trackers per message: a copy
before each action runs, one per replay of the conversation for the policies, one when
a conversation is read, two per form turn. With 61 slots, `copy.copy` (which asks the
object how to reduce itself, then rebuilds it from that) took about 0.3 ms per tracker:
about 3% of Rasa's CPU per message in the issue 13 profile.

For a class without `__new__`, `__copy__`, `__reduce_ex__`, `__getstate__` or
(non-empty) `__slots__` of its own, as Rasa's slot classes are, `copy.copy` makes a new
instance of the same class without calling `__init__` and gives it the same attributes
(the same objects, not copies). `__copy__` here does exactly that, directly. The test
compares both for every slot in the domain.

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

from rasa.shared.core.slots import Slot


def shallow_copy(self: Slot) -> Slot:
    copied: Slot = object.__new__(type(self))  # no slot class has a __new__ of its own
    copied.__dict__.update(self.__dict__)
    return copied


def install() -> None:
    Slot.__copy__ = shallow_copy


def uninstall() -> None:
    if "__copy__" in Slot.__dict__:
        del Slot.__copy__
