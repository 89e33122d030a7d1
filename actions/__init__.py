"""Rasa SDK custom actions, one module per feature.

The action server imports this package (`rasa_sdk --actions actions`), so every module
with actions is imported here.
"""

from actions import conversation, fallback, safety  # noqa: F401
