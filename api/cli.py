"""Administration commands.

    python -m api.cli create-user --username NAME --role admin|staff
    python -m api.cli disable-user --username NAME
    python -m api.cli purge          (apply the retention periods: api/retention.py)

create-user prints the new API key once; only its salted hash is stored, so a lost key
is replaced by disabling the user and creating a new one. Migrations run first, so this
works on an empty database. Creating and disabling users are audited, as the operating
system user who ran the command.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit, db, retention
from api.core.security import USER_ROLES, Principal, hash_api_key, new_api_key
from api.models import User, utcnow


def _operator() -> Principal:
    return Principal(username=f"cli:{getpass.getuser()}"[:64], role="admin")


def create_user(username: str, role: str) -> str:
    """Create a user and return their API key (the only time it exists in clear)."""
    db.migrate()
    key, prefix = new_api_key()
    with Session(db.get_engine()) as session:
        user = User(username=username, role=role, key_prefix=prefix, key_hash=hash_api_key(key))
        session.add(user)
        audit.record(session, _operator(), "user_created", username=username, role=role)
        session.commit()
    return key


def disable_user(username: str) -> bool:
    db.migrate()
    with Session(db.get_engine()) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            return False
        user.disabled_at = user.disabled_at or utcnow()
        audit.record(session, _operator(), "user_disabled", username=username)
        session.commit()
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create a user and print their API key")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=USER_ROLES)
    disable = commands.add_parser("disable-user", help="stop a user's key from working")
    disable.add_argument("--username", required=True)
    commands.add_parser("purge", help="delete what is past its retention period")
    args = parser.parse_args(argv)
    if args.command == "purge":
        db.migrate()
        with Session(db.get_engine()) as session:
            purged = retention.purge(session)
        print(f"retention: deleted {purged.referrals} referral(s), {purged.audit_events} "
              f"audit row(s), {purged.closed_conversations} closed conversation id(s)")
        return 0

    username = args.username.strip()
    if not username or len(username) > 64:
        parser.error("--username must be 1-64 characters")
    if args.command == "create-user":
        try:
            key = create_user(username, args.role)
        except IntegrityError:
            print(f"error: a user called {username!r} already exists", file=sys.stderr)
            return 1
        print(f"Created {args.role} {username!r}. API key (shown once, store it safely):")
        print(key)
        return 0
    if not disable_user(username):
        print(f"error: no user called {username!r}", file=sys.stderr)
        return 1
    print(f"Disabled {username!r}; their key no longer works.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
