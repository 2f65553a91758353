"""The one place that creates gRPC channels to the services.

Every call gets a deadline: a client interceptor adds the service's default
when the caller gave none. UNAVAILABLE is retried by the channel's service
config (gRFC A6) for calls that never reached the server's logic.
"""

import json
from collections.abc import Callable
from typing import Any

import grpc
from grpc_health.v1 import health_pb2_grpc

from cabanas.v1 import (
    booking_pb2_grpc,
    calendar_pb2_grpc,
    messaging_pb2_grpc,
    payments_pb2_grpc,
    speech_pb2_grpc,
)
from services.common.settings import DEFAULT_ADDRS, Settings

SERVICES = tuple(DEFAULT_ADDRS)
# Default deadline per service, seconds: transcription is the slow one.
DEADLINES = {"speech": 60.0}
DEFAULT_DEADLINE = 5.0

_RETRY_CONFIG = json.dumps(
    {
        "methodConfig": [
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": 3,
                    "initialBackoff": "0.1s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    }
)


class _DefaultDeadline(grpc.aio.UnaryUnaryClientInterceptor, grpc.aio.UnaryStreamClientInterceptor):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def _with_deadline(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        if details.timeout is not None:
            return details
        return grpc.aio.ClientCallDetails(
            details.method, self.seconds, details.metadata, details.credentials, details.wait_for_ready
        )

    async def intercept_unary_unary(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        return await continuation(self._with_deadline(details), request)

    async def intercept_unary_stream(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        return await continuation(self._with_deadline(details), request)


class ServiceClients:
    """Stubs for the five services plus their health endpoints."""

    def __init__(self, settings: Settings) -> None:
        self.channels = {
            name: grpc.aio.insecure_channel(
                settings.service_addr(name),
                options=[("grpc.service_config", _RETRY_CONFIG), ("grpc.enable_retries", 1)],
                interceptors=[_DefaultDeadline(DEADLINES.get(name, DEFAULT_DEADLINE))],
            )
            for name in SERVICES
        }
        self.booking = booking_pb2_grpc.BookingServiceStub(self.channels["booking"])
        self.messaging = messaging_pb2_grpc.MessagingServiceStub(self.channels["messaging"])
        self.payments = payments_pb2_grpc.PaymentsServiceStub(self.channels["payments"])
        self.speech = speech_pb2_grpc.SpeechServiceStub(self.channels["speech"])
        self.calendar = calendar_pb2_grpc.CalendarServiceStub(self.channels["calendar"])
        self.health = {name: health_pb2_grpc.HealthStub(ch) for name, ch in self.channels.items()}

    async def close(self) -> None:
        for channel in self.channels.values():
            await channel.close()
