"""The one place the gateway creates its gRPC channels (deadlines and retries
come with `services.common.grpc_clients.channel`)."""

from typing import Protocol, cast

import grpc
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
from services.common.settings import DEFAULT_ADDRS, Settings

SERVICES = tuple(DEFAULT_ADDRS)
# Default deadline per service, seconds: transcription is the slow one.
DEADLINES = {"speech": 60.0}


class HealthClient(Protocol):
    """A service's health endpoint, as the gateway calls it (the grpc_health stubs leave `Check` untyped)."""

    Check: grpc.aio.UnaryUnaryMultiCallable[health_pb2.HealthCheckRequest, health_pb2.HealthCheckResponse]


class ServiceClients:
    """Stubs for the six services plus their health endpoints."""

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
