"""`rasa run`, bound, authenticated and quiet about what people write.

- Rasa 3.6 accepts its HTTP API token only as `--auth-token` on the command line, and a
  command line is readable by every local user (`ps`, /proc/<pid>/cmdline); a process's
  environment is readable only by its owner. So this launcher reads RASA_TOKEN and hands
  it to Rasa's own CLI inside the process. It refuses to start without a token: Rasa's
  HTTP API can change any conversation and must never be open.
- Rasa listens on INTERNAL_HOST (loopback by default). Opened beyond loopback, it uses
  bot/credentials-open.yml, whose REST channel also needs the token.
- Every log record is sanitised (log_privacy.py), files are created owner-only
  (umask 077), and the cached check of action-server replies is installed.
- Sanic returns normally when it cannot bind its port; this exits 1 then, so the
  supervisor sees a failure rather than a clean stop.

Usage: python -m rasa_addons.serve [rasa run options...]   (with RASA_TOKEN set)
"""

from __future__ import annotations

import os
import sys

from rasa_addons.settings import ROOT, get_settings

REFUSED_OPTIONS = ("--auth-token", "-i", "--interface", "--credentials", "--debug", "-vv")


def main() -> None:
    settings = get_settings()
    if not settings.rasa_token:
        sys.exit("RASA_TOKEN is not set: refusing to start Rasa's HTTP API without a token.")
    for arg in sys.argv[1:]:
        if arg.split("=")[0] in REFUSED_OPTIONS:
            # The token, the address, the channels and the log level are this launcher's
            # to choose (DEBUG logs whole trackers).
            sys.exit(f"{arg.split('=')[0]} is set by the launcher, not on the command line.")
    os.umask(0o077)
    # Rasa's DEBUG level logs whole trackers; the sanitiser would catch them, but the
    # noise is not worth it: INFO at most.
    if os.environ.get("LOG_LEVEL", "").upper() == "DEBUG":
        os.environ["LOG_LEVEL"] = "INFO"
    from rasa_addons import log_privacy

    log_privacy.install()
    from rasa.__main__ import main as rasa_main
    from sanic import Sanic

    from rasa_addons import action_result_validation
    from rasa_addons.serving import mark_every_app_when_serving

    action_result_validation.install()
    serving = mark_every_app_when_serving(Sanic)
    credentials = "credentials-open.yml" if settings.internal_open else "credentials.yml"
    sys.argv = [
        "rasa", "run", *sys.argv[1:], "--enable-api", "--auth-token", settings.rasa_token,
        "--interface", settings.internal_host,
        "--credentials", str(ROOT / "bot" / credentials),
    ]
    rasa_main()
    if not serving():
        sys.exit("Rasa did not start serving (see the log above: was the port taken?)")


if __name__ == "__main__":
    main()
