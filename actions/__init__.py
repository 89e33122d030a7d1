"""Rasa SDK custom actions, one module per feature.

The action server imports this package (`rasa_sdk --actions actions`), so every module
with actions is imported here.
"""

from actions import (  # noqa: F401
    conversation,
    episode_clock,
    fallback,
    guidance,
    handoff,
    safety,
    walkthrough,
)
