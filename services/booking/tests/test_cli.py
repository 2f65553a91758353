"""The booking command line against the real database."""

import os
import subprocess
import sys

import jwt

from tests.stack import JWT_SECRET, Infra, Stack


def _cli(infra: Infra, *args: str) -> str:
    env = dict(os.environ, DATABASE_URL=infra.postgres.url, JWT_SECRET=JWT_SECRET)
    done = subprocess.run(
        [sys.executable, "-m", "services.booking.cli", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_seed_demo_is_repeatable(stack: Stack, infra: Infra) -> None:
    first = _cli(infra, "seed-demo")
    second = _cli(infra, "seed-demo")
    assert "Cabaña del Lago" in first
    assert second.count("exists") == 3 and "created" not in second


def test_stats_and_expire_now(stack: Stack, infra: Infra) -> None:
    assert "active cabins:" in _cli(infra, "stats")
    assert _cli(infra, "expire-now").startswith("expired ")


def test_admin_token_is_a_valid_admin_jwt(infra: Infra) -> None:
    token = _cli(infra, "admin-token", "--sub", "owner", "--hours", "1").strip()
    claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == "owner" and claims["role"] == "admin"
