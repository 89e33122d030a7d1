"""`rasa run`, with the HTTP API token taken from the environment.

Rasa 3.6 accepts the token only as `--auth-token` on the command line, and a command
line is readable by every local user (`ps`, /proc/<pid>/cmdline); a process's
environment is readable only by its owner. So this launcher reads RASA_TOKEN and hands
it to Rasa's own CLI inside the process, after installing the cached check of
action-server replies (action_result_validation.py). It refuses to start without a token: Rasa's
HTTP API can change any conversation and must never be open.

Usage: python -m rasa_addons.serve [rasa run options...]   (with RASA_TOKEN set)
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    token = os.environ.get("RASA_TOKEN", "")
    if not token:
        sys.exit("RASA_TOKEN is not set: refusing to start Rasa's HTTP API without a token.")
    if any(arg.startswith("--auth-token") for arg in sys.argv[1:]):
        sys.exit("Pass the token in RASA_TOKEN, not on the command line.")
    from rasa.__main__ import main as rasa_main

    from rasa_addons import action_result_validation

    action_result_validation.install()
    sys.argv = ["rasa", "run", *sys.argv[1:], "--enable-api", "--auth-token", token]
    rasa_main()


if __name__ == "__main__":
    main()
