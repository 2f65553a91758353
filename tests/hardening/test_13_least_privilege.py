"""Least privilege (issue 14, item 13).

- Calls between services carry the caller's name signed with SERVICE_TOKEN_SECRET, and each
  service checks per method who may call it (`CALLERS`, derived here again from the code):
  calendar may not confirm a reservation, the gateway and payments may; unsigned calls are
  refused in production (health probes still answer).
- A Postgres role per process: a service's owns its schema and nothing else, the gateway's only
  connects, and the migration role applies each schema's migrations as its owner (the migrate
  entry point and the Kubernetes Jobs use it; `make run` and the test stack create the roles).
  Booking's role cannot read payments' tables.
- `ConfirmReservation` needs a payment reference or an admin: tests/hardening/test_14_confirm_cancelled.py.
- Kubernetes: each pod its own database URL and only the tokens it uses; sslmode required in prod.
"""

import asyncio
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import grpc
import httpx
import pytest
from pydantic import SecretStr

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from devtools.devstack import own_env, spawn, stop_children, wait_ready, wait_serving
from devtools.embedded import free_port
from services.booking.tests.helpers import day, reason, stay
from services.common.db import MIGRATION_ROLE, migrate, role_of, roles_sql
from services.common.grpc_clients import CALLER_METADATA, caller_token
from services.common.grpc_server import CALLERS
from services.common.migrate import load_service, schemas
from services.common.settings import DEFAULT_ADDRS, Settings
from tests.stack import SERVICE_TOKEN_SECRET, Infra, Stack, admin_token, stack_env
from tests.test_k8s import K8S, ROOT, app, code_callers, config, of_kind, package_code, render
from testsupport.otlp import OtlpReceiver

SECRET = SecretStr(SERVICE_TOKEN_SECRET)
OWNED = schemas()
WEB = ("gateway", "console")  # the HTTP processes: they call the services, nobody calls them


Metadata = tuple[tuple[str, str | bytes], ...]


def signed(caller: str, secret: SecretStr = SECRET, at: int | None = None) -> Metadata:
    return ((CALLER_METADATA, caller_token(secret, caller, at)),)


# Caller checks --------------------------------------------------------------------------------


def _code(process: str) -> str:
    """The source a process calls other services from: the gateway's or the console's package, a service's modules."""
    if process in WEB:
        return package_code(process)
    return "\n".join(path.read_text() for path in (ROOT / "services" / process).glob("*.py"))


def test_the_caller_table_is_what_the_code_calls() -> None:
    """Every method of every service, allowed to exactly the processes whose code calls it."""
    graph = code_callers()  # callee -> the processes that dial it (the NetworkPolicies' graph)
    code = {process: _code(process) for process in {*DEFAULT_ADDRS, *WEB}}
    derived = {
        callee: {
            method.name: frozenset(caller for caller in graph[callee] if re.search(rf"\.{method.name}\(", code[caller]))
            for method in load_service(callee).descriptor.methods
        }
        for callee in DEFAULT_ADDRS
    }
    assert derived == CALLERS
    assert derived["booking"]["ConfirmReservation"] == {"gateway", "payments"}  # the code is still read right
    assert derived["accounts"]["Login"] == {"console"}


@pytest.fixture(scope="module")
def production(infra: Infra, otlp: OtlpReceiver) -> Iterator[dict[str, str]]:
    """Booking in production (callers checked, unsigned refused), and a production gateway in front."""
    env = stack_env(infra, otlp) | {"ENVIRONMENT": "production", "BOOKING_ADDR": f"127.0.0.1:{free_port()}"}
    env["GATEWAY_PORT"] = str(free_port())
    processes = {"booking": spawn("services.booking", env)}
    try:
        wait_serving("booking", env["BOOKING_ADDR"], processes["booking"])  # an unsigned health check answers
        processes["gateway"] = spawn("gateway", env)
        wait_ready(f"http://127.0.0.1:{env['GATEWAY_PORT']}/api/v1/healthz", processes["gateway"])
        yield env
    finally:
        stop_children(processes)


@pytest.fixture(scope="module")
def booking(production: dict[str, str]) -> Iterator[booking_pb2_grpc.BookingServiceStub]:
    with grpc.insecure_channel(production["BOOKING_ADDR"]) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


def _refusal(call: Callable[..., object], request: object, metadata: Metadata | None) -> str:
    with pytest.raises(grpc.RpcError) as info:
        call(request, metadata=metadata, timeout=10)
    assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED, info.value
    return reason(info.value)


def _held(booking: booking_pb2_grpc.BookingServiceStub) -> str:
    """A fresh hold, made as the gateway."""
    cabin = booking.CreateAccommodation(
        booking_pb2.CreateAccommodationRequest(
            accommodation=booking_pb2.Accommodation(
                name=f"Cabaña {uuid.uuid4().hex[:8]}",
                capacity=4,
                base_nightly_price=common_pb2.Money(amount_minor=50_000_00, currency="ARS"),
                min_nights=1,
            )
        ),
        metadata=signed("gateway"),
    )
    reply = booking.PreReserve(
        booking_pb2.PreReserveRequest(
            accommodation_id=cabin.id,
            stay=stay(day(40), day(42)),
            guests=2,
            guest=booking_pb2.Guest(name="Ana Pérez", phone="+5491155555555"),
            channel=common_pb2.CHANNEL_WEB,
        ),
        metadata=signed("gateway"),
    )
    return str(reply.reservation.code)


def test_calendar_may_not_confirm_a_reservation(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    request = booking_pb2.ConfirmReservationRequest(code=_held(booking), forced_by_admin=True)
    assert _refusal(booking.ConfirmReservation, request, signed("calendar")) == "CALLER_NOT_ALLOWED"
    still = booking.GetReservation(booking_pb2.GetReservationRequest(code=request.code), metadata=signed("gateway"))
    assert still.reservation.status == common_pb2.RESERVATION_STATUS_PRE_RESERVED


def test_the_gateway_and_payments_may(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    by_admin = booking_pb2.ConfirmReservationRequest(code=_held(booking), forced_by_admin=True)
    assert (
        booking.ConfirmReservation(by_admin, metadata=signed("gateway")).outcome
        == booking_pb2.CONFIRM_OUTCOME_CONFIRMED
    )
    paid = booking_pb2.ConfirmReservationRequest(code=_held(booking), payment_reference="mercadopago:1")
    assert (
        booking.ConfirmReservation(paid, metadata=signed("payments")).outcome == booking_pb2.CONFIRM_OUTCOME_CONFIRMED
    )


def test_an_unsigned_call_is_refused_in_production(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    request = booking_pb2.ListAccommodationsRequest()
    assert _refusal(booking.ListAccommodations, request, None) == "CALLER_UNSIGNED"


def test_a_wrong_key_or_an_old_signature_does_not_verify(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    request = booking_pb2.ListAccommodationsRequest()
    forged = signed("gateway", SecretStr("a-key-we-do-not-hold"))
    assert _refusal(booking.ListAccommodations, request, forged) == "CALLER_UNVERIFIED"
    replayed = signed("gateway", at=int(time.time()) - 3600)
    assert _refusal(booking.ListAccommodations, request, replayed) == "CALLER_UNVERIFIED"
    renamed: Metadata = ((CALLER_METADATA, caller_token(SECRET, "calendar").replace("calendar", "gateway", 1)),)
    assert _refusal(booking.ListAccommodations, request, renamed) == "CALLER_UNVERIFIED"


def test_a_stream_is_checked_too(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    request = booking_pb2.StreamEventsRequest(follow=False)
    with pytest.raises(grpc.RpcError) as info:
        list(booking.StreamEvents(request, metadata=signed("gateway"), timeout=10))
    assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED and reason(info.value) == "CALLER_NOT_ALLOWED"
    assert isinstance(list(booking.StreamEvents(request, metadata=signed("messaging"), timeout=10)), list)


def test_the_production_gateway_signs_its_calls(production: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{production['GATEWAY_PORT']}/api/v1"
    assert httpx.get(f"{url}/accommodations", timeout=10).status_code == 200
    auth = {"Authorization": f"Bearer {admin_token()}"}
    listed = httpx.get(f"{url}/admin/reservations", headers=auth, timeout=10)
    assert listed.status_code == 200, listed.text


# Database roles -------------------------------------------------------------------------------


async def _connect(infra: Infra, role: str, database: str = "cabanas") -> asyncpg.Connection:
    return await asyncpg.connect(infra.postgres.url_as(role).rsplit("/", 1)[0] + f"/{database}")


async def test_each_service_connects_as_its_own_role(stack: Stack, infra: Infra) -> None:
    assert stack.env["BOOKING_DATABASE_URL"] == infra.postgres.url_as("cabanas_booking")
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT application_name, usename FROM pg_stat_activity WHERE usename LIKE 'cabanas\\_%'"
        )
    finally:
        await conn.close()
    assert {(schema, role_of(schema)) for schema in OWNED} <= {(r["application_name"], r["usename"]) for r in rows}


async def test_bookings_role_cannot_touch_another_schema_nor_create_outside_its_own(stack: Stack, infra: Infra) -> None:
    del stack  # running: the roles exist and own their schemas
    conn = await _connect(infra, role_of("booking"))
    try:
        for sql in (
            "SELECT count(*) FROM payments.payments",
            "CREATE TABLE payments.intruder (id int)",
            "CREATE TABLE public.intruder (id int)",
            "CREATE SCHEMA intruder",
            "CREATE TEMPORARY TABLE intruder (id int)",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(sql)
        own = conn.transaction()  # its own schema is its own (rolled back)
        await own.start()
        await conn.execute("CREATE TABLE booking.scratch (id int)")
        assert await conn.fetchval("SELECT count(*) FROM booking.reservations") >= 0
        await own.rollback()
    finally:
        await conn.close()
    gateway = await _connect(infra, role_of("gateway"))
    try:
        assert await gateway.fetchval("SELECT 1") == 1
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await gateway.fetchval("SELECT count(*) FROM booking.reservations")
    finally:
        await gateway.close()


@pytest.fixture
async def fresh_database(infra: Infra) -> AsyncIterator[str]:
    name = f"roles_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(infra.postgres.url)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


async def _as_superuser(infra: Infra, database: str, statements: list[str]) -> None:
    conn = await _connect(infra, "postgres", database)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def _owners(infra: Infra, database: str) -> set[tuple[str, str]]:
    conn = await _connect(infra, "postgres", database)
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT n.nspname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1::text[])",
            OWNED,
        )
    finally:
        await conn.close()
    return {(r["nspname"], r["owner"]) for r in rows}


def _migrate_entry_point(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "services.common.migrate", *OWNED]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)


async def test_the_migration_role_migrates_each_schema_as_its_owner(infra: Infra, fresh_database: str) -> None:
    await _as_superuser(infra, fresh_database, roles_sql(fresh_database, OWNED))
    nowhere = f"postgresql://nobody@127.0.0.1:{free_port()}/none"  # the entry point must not use DATABASE_URL
    migration_url = infra.postgres.url_as(MIGRATION_ROLE).rsplit("/", 1)[0] + f"/{fresh_database}"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": nowhere}
    done = await asyncio.to_thread(_migrate_entry_point, env | {"MIGRATION_DATABASE_URL": migration_url})
    assert done.returncode == 0, done.stderr
    assert await _owners(infra, fresh_database) == {(schema, role_of(schema)) for schema in OWNED}
    calendar = await _connect(infra, role_of("calendar"), fresh_database)
    try:  # a service's role cannot migrate another schema (it may not act as its owner)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await migrate(calendar, "booking", ROOT / "services" / "booking" / "migrations")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await calendar.execute("SELECT count(*) FROM booking.reservations")
    finally:
        await calendar.close()


async def test_the_roles_take_over_a_database_made_with_one_role(infra: Infra, fresh_database: str) -> None:
    """A database migrated before the roles existed (everything the superuser's) is handed over."""
    conn = await _connect(infra, "postgres", fresh_database)
    try:
        for schema in OWNED:
            await migrate(conn, schema, load_service(schema).migrations)
    finally:
        await conn.close()
    await _as_superuser(infra, fresh_database, roles_sql(fresh_database, OWNED))
    assert await _owners(infra, fresh_database) == {(schema, role_of(schema)) for schema in OWNED}
    payments = await _connect(infra, role_of("payments"), fresh_database)
    try:  # the service, migrating at start as the owner, finds nothing to do
        assert await migrate(payments, "payments", load_service("payments").migrations) == []
        assert await payments.fetchval("SELECT count(*) FROM payments.payments") == 0
    finally:
        await payments.close()


def test_make_run_and_the_stack_give_each_process_its_own_url() -> None:
    env = {"DATABASE_URL": "postgresql://postgres@db/cabanas", "BOOKING_DATABASE_URL": "postgresql://b@db/cabanas"}
    env |= {"GATEWAY_DATABASE_URL": "postgresql://g@db/cabanas"}
    assert own_env("services.booking", env)["DATABASE_URL"] == env["BOOKING_DATABASE_URL"]
    assert own_env("services.booking.cli", env)["DATABASE_URL"] == env["BOOKING_DATABASE_URL"]
    assert own_env("devtools.gateway", env)["DATABASE_URL"] == env["GATEWAY_DATABASE_URL"]
    assert own_env("gateway", env)["DATABASE_URL"] == env["GATEWAY_DATABASE_URL"]
    assert own_env("services.speech", env) is env  # no database: unchanged


def test_sslmode_is_added_to_urls_that_name_none() -> None:
    settings = Settings(
        database_sslmode="require",
        database_url="postgresql://u:p@db:5432/cabanas",
        migration_database_url="postgresql://m@db/cabanas?sslmode=verify-full&sslrootcert=/ca.pem",
    )
    assert settings.database_url == "postgresql://u:p@db:5432/cabanas?sslmode=require"
    assert settings.migration_database_url.endswith("?sslmode=verify-full&sslrootcert=/ca.pem")


# Kubernetes -----------------------------------------------------------------------------------


def _env(container: dict[str, object]) -> dict[str, str]:
    """Each variable's Secret key (or value)."""
    out = {}
    for entry in container.get("env", []):  # type: ignore[attr-defined]
        ref = entry.get("valueFrom", {}).get("secretKeyRef")
        out[entry["name"]] = f"secret:{ref['key']}" if ref else entry.get("value", "")
    return out


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_each_pod_has_its_own_database_role_and_only_the_tokens_it_uses(overlay: str) -> None:
    objs = render(overlay)
    for w in of_kind(objs, "Deployment"):
        name = w["metadata"]["name"]
        if name not in (*DEFAULT_ADDRS, *WEB):
            continue
        env = _env(app(w))
        assert env["SERVICE_TOKEN_SECRET"] == "secret:SERVICE_TOKEN_SECRET", name
        if name in (*OWNED, "gateway"):
            assert env["DATABASE_URL"] == f"secret:{name.upper()}_DATABASE_URL", name
        else:
            assert "DATABASE_URL" not in env, name
        if name in WEB:  # internet-facing: no key that acts on anyone's behalf
            assert not {"WHATSAPP_ACCESS_TOKEN", "MERCADOPAGO_ACCESS_TOKEN"} & set(env), name
        if name == "console":
            assert not {"JWT_SECRET", "REDIS_URL", "ICS_SALT"} & set(env)
    jobs = of_kind(objs, "Job")
    assert jobs and all(_env(app(j)) == {"MIGRATION_DATABASE_URL": "secret:MIGRATION_DATABASE_URL"} for j in jobs)


@pytest.mark.parametrize("overlay", ["prod", "gpu"])
def test_production_requires_tls_to_postgres(overlay: str) -> None:
    objs = render(overlay)
    for w in of_kind(objs, "Deployment", "Job"):
        assert config(objs, app(w)).get("DATABASE_SSLMODE") == "require", w["metadata"]["name"]


def test_the_dev_postgres_creates_the_roles_of_production() -> None:
    script = (K8S / "overlays" / "dev" / "roles.sql").read_text()
    statements = [line for line in script.splitlines() if line and not line.startswith("--")]
    expected = [f"{statement};" for statement in roles_sql("cabanas", OWNED)]
    assert statements[: len(expected)] == expected
    passwords = statements[len(expected) :]
    roles = [MIGRATION_ROLE, *(role_of(name) for name in (*OWNED, "gateway"))]
    assert [line.split()[2] for line in passwords] == roles
    assert all("PASSWORD 'dev-only-" in line for line in passwords)


def test_print_roles_prints_what_the_roles_are() -> None:
    command = [sys.executable, "-m", "services.common.migrate", "--print-roles"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "MIGRATION_DATABASE_URL": "postgresql://m@db/cabanas"}
    printed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, cwd=ROOT, check=True)
    assert printed.stdout == ";\n".join(roles_sql("cabanas", OWNED)) + ";\n"


def test_the_docs_say_which_identity_scheme_is_used() -> None:
    text = (K8S / "README.md").read_text() + (ROOT / "docs" / "operations.md").read_text()
    assert "SERVICE_TOKEN_SECRET" in text and "mTLS" in text
    assert Path(ROOT / "docs" / "configuration.md").read_text().count("SERVICE_TOKEN_SECRET") >= 1
