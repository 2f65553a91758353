"""Every service serves health and reflection and owns its schema."""

import asyncpg
import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from devtools.devstack import SERVICES
from tests.stack import Infra, Stack

FULL_NAMES = {
    "booking": "cabanas.v1.BookingService",
    "messaging": "cabanas.v1.MessagingService",
    "payments": "cabanas.v1.PaymentsService",
    "speech": "cabanas.v1.SpeechService",
    "calendar": "cabanas.v1.CalendarService",
    "accounts": "cabanas.v1.AccountsService",
}


@pytest.mark.parametrize("name", SERVICES)
def test_health_serving(stack: Stack, name: str) -> None:
    with grpc.insecure_channel(stack.addr(name)) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", FULL_NAMES[name], "liveness"):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=2)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING, service


@pytest.mark.parametrize("name", SERVICES)
def test_reflection_lists_service(stack: Stack, name: str) -> None:
    with grpc.insecure_channel(stack.addr(name)) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        reply = next(iter(stub.ServerReflectionInfo(iter([request]), timeout=2)))
        names = {s.name for s in reply.list_services_response.service}
    assert {FULL_NAMES[name], "grpc.health.v1.Health"} <= names


async def test_each_service_owns_its_schema(stack: Stack, infra: Infra) -> None:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        schemas = {r["nspname"] for r in await conn.fetch("SELECT nspname FROM pg_namespace")}
        assert {"booking", "messaging", "payments", "calendar", "accounts"} <= schemas
        versions = await conn.fetch("SELECT version FROM booking.schema_migrations ORDER BY version")
        assert [r["version"] for r in versions][:2] == ["0001_extensions", "0002_booking"]
        assert await conn.fetchval("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'") == 1
    finally:
        await conn.close()
