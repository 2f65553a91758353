"""Login throttling against a real Postgres: windows expire, refusals are not counted, a success
clears the e-mail's failures and not the client's, and racing guesses never pass the limit."""

import asyncio
import uuid
from datetime import timedelta

import asyncpg
import pytest

from services.accounts import auth, users
from services.accounts.passwords import Hasher
from services.accounts.tests.conftest import PASSWORD, new_email
from services.accounts.throttle import Limits
from services.common.errors import DomainError

LIFETIME = auth.Lifetime(idle=timedelta(hours=12), longest=timedelta(days=7))
HASHER = Hasher()


def _client() -> str:
    return f"198.51.100.{uuid.uuid4().int % 250}:{uuid.uuid4().int % 60000}"


async def _owner(pool: asyncpg.Pool) -> str:
    email = new_email()
    await users.create(pool, HASHER, email_=email, name_="Ana", phone_="", role_="owner", password=PASSWORD)
    return email


async def _login(pool: asyncpg.Pool, limits: Limits, email: str, password: str, client: str) -> str:
    """The outcome's reason ("" for a session)."""
    try:
        await auth.login(pool, HASHER, limits, LIFETIME, email, password, client)
    except DomainError as exc:
        return exc.reason
    return ""


async def test_an_email_is_throttled_then_its_window_empties(pool: asyncpg.Pool) -> None:
    limits = Limits(window=timedelta(seconds=2), per_email=3, per_client=100)
    email = await _owner(pool)
    for n in range(3):
        assert await _login(pool, limits, email, "wrong-password-1", _client()) == "LOGIN_FAILED", n
    # From anywhere, even with the right password: the e-mail is resting.
    with pytest.raises(DomainError) as info:
        await auth.login(pool, HASHER, limits, LIFETIME, email, PASSWORD, _client())
    assert info.value.reason == "LOGIN_THROTTLED" and info.value.details["scope"] == "email"
    assert 1 <= int(info.value.details["retry_after_seconds"]) <= 2
    # Knocking on while throttled counts for nothing: the window still empties on time.
    for _ in range(5):
        assert await _login(pool, limits, email, "wrong-password-1", _client()) == "LOGIN_THROTTLED"
    await asyncio.sleep(2.1)
    assert await _login(pool, limits, email, PASSWORD, _client()) == ""


async def test_a_client_is_throttled_across_emails(pool: asyncpg.Pool) -> None:
    limits = Limits(window=timedelta(seconds=30), per_email=100, per_client=4)
    client = _client()
    for n in range(4):
        assert await _login(pool, limits, new_email(), PASSWORD, client) == "LOGIN_FAILED", n
    assert await _login(pool, limits, new_email(), PASSWORD, client) == "LOGIN_THROTTLED"
    assert await _login(pool, limits, new_email(), PASSWORD, _client()) == "LOGIN_FAILED"  # others are not


async def test_a_success_clears_the_emails_failures_not_the_clients(pool: asyncpg.Pool) -> None:
    limits = Limits(window=timedelta(seconds=30), per_email=3, per_client=4)
    client, own = _client(), await _owner(pool)
    # An attacker guesses at someone else's e-mail from `client`, then logs into their own account.
    victim = await _owner(pool)
    for _ in range(2):
        assert await _login(pool, limits, victim, "wrong-password-1", client) == "LOGIN_FAILED"
    assert await _login(pool, limits, own, "wrong-password-1", client) == "LOGIN_FAILED"
    assert await _login(pool, limits, own, PASSWORD, client) == ""
    # Their own e-mail's failure is forgotten, the guesses from their address are not.
    assert await _login(pool, limits, victim, "wrong-password-1", client) == "LOGIN_FAILED"
    assert await _login(pool, limits, victim, "wrong-password-2", client) == "LOGIN_THROTTLED"
    assert await _login(pool, limits, own, PASSWORD, _client()) == ""  # the account itself is fine


async def test_racing_guesses_never_pass_the_limit(pool: asyncpg.Pool) -> None:
    limits = Limits(window=timedelta(seconds=30), per_email=3, per_client=1000)
    email = await _owner(pool)
    outcomes = await asyncio.gather(*(_login(pool, limits, email, f"wrong-{n}-password", _client()) for n in range(12)))
    assert outcomes.count("LOGIN_FAILED") <= 3
    assert set(outcomes) <= {"LOGIN_FAILED", "LOGIN_THROTTLED"}
    async with pool.acquire() as conn:
        counted = await conn.fetchval("SELECT count(*) FROM login_attempts WHERE scope = 'email' AND key = $1", email)
    assert counted == outcomes.count("LOGIN_FAILED")
