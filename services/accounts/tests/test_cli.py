"""`python -m services.accounts.cli create-owner` against a database of its own."""

import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from services.accounts.tests.conftest import PASSWORD
from tests.stack import Infra

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def database_url(infra: Infra) -> AsyncIterator[str]:
    name = f"cli_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(infra.postgres.url)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield infra.postgres.url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


def _cli(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "services.accounts.cli", "create-owner", *args]
    return subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT)


async def _owners(url: str) -> list[tuple[str, str, bool]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT email, role, active FROM accounts.users ORDER BY id")
    finally:
        await conn.close()
    return [(r["email"], r["role"], r["active"]) for r in rows]


async def test_the_first_owner_then_only_with_force(database_url: str) -> None:
    first = _cli(database_url, "--email", "Ana@Example.com", "--name", "Ana", stdin=PASSWORD + "\n")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().startswith("owner ana@example.com created")
    assert PASSWORD not in first.stdout

    second = _cli(database_url, "--email", "beto@example.com", "--name", "Beto", stdin=PASSWORD + "\n")
    assert second.returncode == 1 and "--force" in second.stderr
    forced = _cli(database_url, "--email", "beto@example.com", "--name", "Beto", "--force", "--generate-password")
    assert forced.returncode == 0, forced.stderr
    generated = forced.stdout.split("password: ", 1)[1].strip()
    assert len(generated) >= 20
    assert await _owners(database_url) == [("ana@example.com", "owner", True), ("beto@example.com", "owner", True)]


async def test_a_weak_password_is_refused_and_reset_makes_an_owner_again(database_url: str) -> None:
    weak = _cli(database_url, "--email", "ana@example.com", "--name", "Ana", stdin="cabanas2024\n")
    assert weak.returncode == 1 and "fácil de adivinar" in weak.stderr
    assert await _owners(database_url) == []
    assert _cli(database_url, "--email", "ana@example.com", "--name", "Ana", stdin=PASSWORD + "\n").returncode == 0
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE accounts.users SET active = false, role = 'viewer'")
    finally:
        await conn.close()
    reset = _cli(database_url, "--email", "ana@example.com", "--name", "Ana", "--reset", stdin="otra-clave-larga-9\n")
    assert reset.returncode == 0, reset.stderr
    assert "updated" in reset.stdout
    assert await _owners(database_url) == [("ana@example.com", "owner", True)]
