"""Rasa SDK custom actions, one module per feature.

The action server (rasa_addons/action_server.py) imports this package, so every module
with actions is imported here.
"""

from actions import (  # noqa: F401
    commands,
    conversation,
    episode_clock,
    fallback,
    guidance,
    handoff,
    licence_concern,
    referral,
    referral_client,
    safety,
    walkthrough,
)
from rasa_addons.settings import get_settings

# Under the running stack, referrals queued before a restart are retried straight away
# rather than waiting for the next submission to start the retry thread.
if get_settings().referral_api_url:
    referral_client.start_background_retry()
    # The search indexes and the record classifier are built before the first question,
    # not while someone waits for its answer.
    guidance.warm_up()
