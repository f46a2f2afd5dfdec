"""`autoapply operator EMAIL [--remove]`: give an account the operator role (the takeover page's
sign-in), or take it back. A role is a row in intake's users table; this is the one command that
writes it, so nobody edits the database by hand. Tokens carry the role: the person signs in again."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import asyncpg

from autoapply.local.services import DATABASE
from autoapply.stack import HOME_ENV, Stack, default_home


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("email", help="the account's email (it must have signed up)")
    parser.add_argument("--remove", action="store_true", help="make the account an ordinary user again")
    parser.add_argument("--database-url", help="a PostgreSQL other than the local stack's")
    parser.add_argument(
        "--home", type=Path, default=None, help=f"the stack's folder (default: ${HOME_ENV}, else ./var/stack)"
    )


async def set_role(dsn: str, email: str, role: str) -> bool:
    """True when the account exists (its role is now `role`); its open sessions end, so the old
    role's tokens stop working at their next refresh."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            user_id = await conn.fetchval(
                "UPDATE intake.users SET role = $2 WHERE lower(email) = lower($1) RETURNING user_id",
                email.strip(),
                role,
            )
            if user_id is not None:
                await conn.execute(
                    "UPDATE intake.sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", user_id
                )
        return user_id is not None
    finally:
        await conn.close()


def run(args: argparse.Namespace) -> int:
    if args.database_url:
        dsn = str(args.database_url)
    else:
        stack = Stack(Path(args.home).absolute() if args.home else default_home(), readonly=True)
        dsn = stack.postgres(stack.load_state()).dsn(DATABASE)
    role = "user" if args.remove else "operator"
    try:
        found = asyncio.run(set_role(dsn, args.email, role))
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"autoapply operator: {exc or type(exc).__name__} (is the stack up? `autoapply status`)", file=sys.stderr)
        return 1
    if not found:
        print(f"autoapply operator: no account with the email {args.email}: sign up first", file=sys.stderr)
        return 1
    print(f"{args.email} is now {'an ordinary user' if args.remove else 'an operator'}; they sign in again")
    return 0
