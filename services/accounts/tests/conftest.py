"""Accounts' fixtures: a migrated schema of its own on the session's Postgres, and the service
itself as a real process on a free port (schema `accounts`, shared with the stack's: each test
makes its own users, with e-mails nobody else uses)."""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import grpc
import pytest

from cabanas.v1 import accounts_pb2_grpc
from devtools.devstack import spawn, stop_children, wait_serving
from devtools.embedded import free_port
from tests.stack import Infra, stack_env
from testsupport.db import scratch_schema
from testsupport.otlp import OtlpReceiver

MIGRATIONS = Path(__file__).parent.parent / "migrations"
PASSWORD = "tortuga-azul-del-lago"
# The service under test: few failures allowed, over a short window, so a test can see it empty.
LIMITS = {"LOGIN_MAX_FAILURES_PER_EMAIL": "3", "LOGIN_MAX_FAILURES_PER_CLIENT": "5", "LOGIN_WINDOW_SECONDS": "4"}


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
async def pool(infra: Infra) -> AsyncIterator[asyncpg.Pool]:
    async with scratch_schema(infra.postgres.url, "accounts", MIGRATIONS) as scratch:
        yield scratch


@pytest.fixture(scope="module")
def accounts_addr(infra: Infra, otlp: OtlpReceiver) -> Iterator[str]:
    env = stack_env(infra, otlp) | LIMITS | {"ACCOUNTS_ADDR": f"127.0.0.1:{free_port()}"}
    processes = {"accounts": spawn("services.accounts", env)}
    try:
        wait_serving("accounts", env["ACCOUNTS_ADDR"], processes["accounts"])
        yield env["ACCOUNTS_ADDR"]
    finally:
        stop_children(processes)


@pytest.fixture
async def accounts(accounts_addr: str) -> AsyncIterator["accounts_pb2_grpc.AccountsServiceAsyncStub"]:
    async with grpc.aio.insecure_channel(accounts_addr) as channel:
        yield accounts_pb2_grpc.AccountsServiceStub(channel)
