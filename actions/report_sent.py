"""What every report action does once a referral or concern has left the conversation.

The tracker store removes the conversation's content when it sees a submit action run
(rasa_addons/tracker_store.py). This tells the API too: a custom payload that the API
strips from the reply before closing the conversation id and issuing a new one
(api/routes/chat.py), so an old id cannot read back what was given.
"""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

CLOSED_MARKER = "conversation_closed"


def close_conversation(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(json_message={CLOSED_MARKER: True})
