"""`rasa run`, bound, authenticated and quiet about what people write.

- Rasa 3.6 accepts its HTTP API token only as `--auth-token` on the command line, and a
  command line is readable by every local user (`ps`, /proc/<pid>/cmdline); a process's
  environment is readable only by its owner. So this launcher reads RASA_TOKEN and hands
  it to Rasa's own CLI inside the process. It refuses to start without a token: Rasa's
  HTTP API can change any conversation and must never be open.
- Rasa listens on INTERNAL_HOST (loopback by default). Opened beyond loopback, it uses
  bot/credentials-open.yml, whose REST channel also needs the token.
- Every log record is sanitised (log_privacy.py), files are created owner-only
  (umask 077), and the cached check of action-server replies is installed, with the
  other per-message savings (slot_extraction.py, event_types.py, tf_predict.py,
  policy_states.py, policies_when_needed.py, graph_schema.py, graph_in_order.py,
  action_calls.py, message_features.py, fake_features.py, applied_events.py,
  ruler_gates.py, slot_copy.py, selector_keys.py).
- Workers: RASA_WORKERS becomes Rasa's SANIC_WORKERS (one place to set it). Rasa's own
  check lets any lock store but its in-memory one run several workers, and ours
  (rasa_addons/lock_store.py) is one class whatever its URL, so this refuses more than
  one worker unless LOCK_STORE_URL is shared (Redis): two workers with a lock each would
  interleave one conversation's turns. With more than one worker, each connection is
  ended after a few replies (serving.py), so that connections move to a free worker.
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
    if settings.rasa_workers > 1 and not settings.shared_lock_store:
        sys.exit(f"RASA_WORKERS={settings.rasa_workers} needs a lock store the workers share: "
                 "set LOCK_STORE_URL=redis://... (make run starts Redis itself).")
    if settings.internal_open and not settings.shared_lock_store:
        print("serve: INTERNAL_HOST is open but LOCK_STORE_URL is memory://: run no second "
              "replica of this Rasa, or set LOCK_STORE_URL=redis://...", file=sys.stderr)
    # bot/endpoints.yml names both; Rasa refuses an endpoints file with an unset variable.
    os.environ["LOCK_STORE_URL"] = settings.lock_store_url
    os.environ["SANIC_WORKERS"] = str(settings.rasa_workers)
    # One TensorFlow thread per op and one op at a time, per worker (Rasa reads these):
    # a worker predicts one message at a time on tiny tensors, where spreading an op
    # over threads costs more CPU than it saves, and the workers already fill the cores.
    # Measured in issue 13: the same predictions bit for bit, about 4 ms less CPU per
    # message. Set either variable to choose otherwise.
    os.environ.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
    os.environ.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    os.umask(0o077)
    # Rasa's DEBUG level logs whole trackers; the sanitiser would catch them, but the
    # noise is not worth it: INFO at most.
    if os.environ.get("LOG_LEVEL", "").upper() == "DEBUG":
        os.environ["LOG_LEVEL"] = "INFO"
    from rasa_addons import log_privacy

    log_privacy.install()
    from rasa.__main__ import main as rasa_main
    from sanic import Sanic

    from rasa_addons import (
        action_calls,
        action_result_validation,
        applied_events,
        event_types,
        fake_features,
        graph_in_order,
        graph_schema,
        message_features,
        policies_when_needed,
        policy_states,
        ruler_gates,
        selector_keys,
        slot_copy,
        slot_extraction,
        tf_predict,
    )
    from rasa_addons.serving import (
        freeze_after_loading,
        mark_every_app_when_serving,
        spread_connections_over_workers,
    )

    # The cost per message (issue 13): each leaves what Rasa answers unchanged.
    action_result_validation.install()
    slot_extraction.install()
    event_types.install()
    tf_predict.install()
    policy_states.install()
    policies_when_needed.install()
    graph_schema.install()
    graph_in_order.install()
    action_calls.install()
    message_features.install()
    fake_features.install()
    applied_events.install()
    ruler_gates.install()
    slot_copy.install()
    selector_keys.install()
    serving = mark_every_app_when_serving(Sanic)
    freeze_after_loading(Sanic)
    if settings.rasa_workers > 1:
        spread_connections_over_workers(Sanic)
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
