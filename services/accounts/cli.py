"""Accounts' command line: `python -m services.accounts.cli COMMAND`.

create-owner  create an owner (the first one, in production), with the password read from
              standard input (one line) or, with --generate-password, made up and printed.
              Refuses while an active owner exists, unless --force (a second owner, or a
              recovery when the owner's e-mail is lost). With --reset, an existing user with
              that e-mail becomes an active owner with the new password instead (its sessions
              end); `make run` uses it for the development owner.

In production: `kubectl exec -i deploy/accounts -- python -m services.accounts.cli create-owner
--email ana@example.com --name "Ana" < password.txt`. It connects as the service does
(DATABASE_URL) and migrates the schema first, so it also works before the service ran.
"""

import argparse
import asyncio
import secrets
import sys
from pathlib import Path

import asyncpg

from services.accounts import users
from services.accounts.app import limits
from services.accounts.passwords import Hasher
from services.common.db import create_pool, migrate
from services.common.errors import DomainError
from services.common.settings import get_settings

SCHEMA = "accounts"


def _password(args: argparse.Namespace) -> str:
    if args.generate_password:
        return secrets.token_urlsafe(15)  # 20 characters, about 120 bits
    return sys.stdin.readline().rstrip("\r\n")


async def _reset(pool: asyncpg.Pool, hasher: Hasher, args: argparse.Namespace, password: str) -> asyncpg.Record | None:
    """The user with that e-mail made an active owner with `password`; None when there is none."""
    async with pool.acquire() as conn:
        found = await conn.fetchval("SELECT id FROM users WHERE email = $1", users.email(args.email))
    if found is None:
        return None
    await users.update(pool, found, {"name": args.name, "phone": args.phone, "role": users.OWNER, "active": True})
    return await users.set_password(pool, hasher, limits(get_settings()), found, password, current="")


async def create_owner(args: argparse.Namespace, password: str) -> str:
    """What was done, for the operator; DomainError when it cannot be."""
    pool = await create_pool(get_settings().database_url, SCHEMA, max_size=2)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, SCHEMA, Path(__file__).parent / "migrations")
        hasher = Hasher()
        if args.reset and (row := await _reset(pool, hasher, args, password)) is not None:
            return f"owner {row['email']} updated (id {row['id']})"
        if not args.force and await users.has_active_owner(pool):
            raise SystemExit("create-owner: there is an active owner already; --force adds another")
        row = await users.create(
            pool, hasher, email_=args.email, name_=args.name, phone_=args.phone, role_=users.OWNER, password=password
        )
        return f"owner {row['email']} created (id {row['id']})"
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.accounts.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    owner = commands.add_parser("create-owner", help="create an owner; the password comes from standard input")
    owner.add_argument("--email", required=True)
    owner.add_argument("--name", required=True)
    owner.add_argument("--phone", default="", help="WhatsApp number, E.164 (+5492944123456)")
    owner.add_argument("--generate-password", action="store_true", help="make one up and print it")
    owner.add_argument("--force", action="store_true", help="even if an active owner exists")
    owner.add_argument("--reset", action="store_true", help="if the e-mail exists, make it an owner with this password")
    args = parser.parse_args(argv)
    password = _password(args)
    try:
        done = asyncio.run(create_owner(args, password))
    except DomainError as exc:
        print(f"create-owner: {exc.message}", file=sys.stderr)
        return 1
    print(done)
    if args.generate_password:
        print(f"password: {password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
