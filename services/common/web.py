"""What the two web processes share, the gateway and the console: their gRPC channels to the
services, the security headers of every answer, and who the client is behind a proxy."""

import ipaddress
from collections.abc import Callable
from typing import Protocol, cast

import grpc
import uvicorn
from fastapi import FastAPI
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cabanas.v1 import (
    accounts_pb2_grpc,
    booking_pb2_grpc,
    calendar_pb2_grpc,
    messaging_pb2_grpc,
    payments_pb2_grpc,
    speech_pb2_grpc,
)
from services.common.grpc_clients import channel
from services.common.logs import setup_logging
from services.common.settings import DEFAULT_ADDRS, Settings, get_settings
from services.common.telemetry import setup_telemetry

SERVICES = tuple(DEFAULT_ADDRS)
# Default deadline per service, seconds: transcription is the slow one.
DEADLINES = {"speech": 60.0}

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


class HealthClient(Protocol):
    """A service's health endpoint, as the gateway calls it (the grpc_health stubs leave `Check` untyped)."""

    Check: grpc.aio.UnaryUnaryMultiCallable[health_pb2.HealthCheckRequest, health_pb2.HealthCheckResponse]


class ServiceClients:
    """Stubs for the six services plus their health endpoints. Channels connect at their first
    call: a process dials only the services it calls (the NetworkPolicies allow no more)."""

    def __init__(self, settings: Settings) -> None:
        self.channels = {name: channel(settings.service_addr(name), DEADLINES.get(name, 5.0)) for name in SERVICES}
        self.booking = booking_pb2_grpc.BookingServiceStub(self.channels["booking"])
        self.messaging = messaging_pb2_grpc.MessagingServiceStub(self.channels["messaging"])
        self.payments = payments_pb2_grpc.PaymentsServiceStub(self.channels["payments"])
        self.speech = speech_pb2_grpc.SpeechServiceStub(self.channels["speech"])
        self.calendar = calendar_pb2_grpc.CalendarServiceStub(self.channels["calendar"])
        self.accounts = accounts_pb2_grpc.AccountsServiceStub(self.channels["accounts"])
        self.health = {name: cast(HealthClient, health_pb2_grpc.HealthStub(ch)) for name, ch in self.channels.items()}

    async def close(self) -> None:
        for open_channel in self.channels.values():
            await open_channel.close(grace=None)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(spec: str) -> list[Network]:
    """`TRUSTED_PROXIES`: comma-separated addresses or CIDR blocks."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()]


def _trusted(address: str, proxies: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_ip(peer: str, forwarded_for: str | None, proxies: list[Network]) -> str:
    """The first address, from the right, that is not a trusted proxy: each trusted hop
    appends the address it saw, so what is left of it was written by the client."""
    if not _trusted(peer, proxies) or not forwarded_for:
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def serve(name: str, build: Callable[[Settings], FastAPI], address: Callable[[Settings], tuple[str, int]]) -> None:
    """Run a web process (the gateway, the console): logs, traces, then uvicorn on `address`
    until SIGTERM, draining like the gRPC services do."""
    settings = get_settings()
    setup_logging(name, settings.log_level)
    provider = setup_telemetry(name)
    host, port = address(settings)
    try:
        uvicorn.run(
            build(settings),
            host=host,
            port=port,
            log_config=None,  # our JSON root handler
            access_log=False,
            timeout_graceful_shutdown=int(settings.grpc_shutdown_grace_seconds),
        )
    finally:
        provider.shutdown()
