"""The operator's commands for the referral outbox (actions/outbox.py).

Run on the action server's machine, with its environment (REFERRAL_API_URL,
SERVICE_API_KEY, REFERRAL_OUTBOX_PATH):

    python -m actions.outbox_operator flush          # send every pending referral now
    python -m actions.outbox_operator requeue KEY    # send again one the API refused for good

The running action server may be sending the same items: the idempotency key makes that
one referral, not two. Nothing here prints a payload.
"""

from __future__ import annotations

import argparse
import logging
import sys

from actions.referral_client import ReferralClient


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions.outbox_operator",
                                     description="send referrals waiting in the outbox")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("flush", help="send every pending referral now")
    requeue = commands.add_parser(
        "requeue", help="send again a referral the API refused for good (after fixing why)")
    requeue.add_argument("key", help="its idempotency key (the action server's log names it)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    sender = ReferralClient(background=False)
    if args.command == "requeue" and not sender.outbox.requeue(args.key):
        print(f"no refused referral with the key {args.key} is waiting", file=sys.stderr)
        return 1
    stored = sender.flush(force=True)
    print(f"{stored} referral(s) stored; {len(sender.outbox.pending())} still pending")
    return 0


if __name__ == "__main__":
    sys.exit(main())
