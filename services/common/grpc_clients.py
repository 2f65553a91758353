"""gRPC channels to the services, made one way everywhere.

Every call gets a deadline: a client interceptor adds the channel's default
when the caller gave none. UNAVAILABLE is retried by the channel's service
config (gRFC A6) for idempotent methods only: a service also answers
UNAVAILABLE when its database fails mid-call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from cabanas.v1 import booking_pb2, calendar_pb2, messaging_pb2, payments_pb2, speech_pb2
from services.common.errors import DomainError, Kind

DEFAULT_DEADLINE = 5.0

# Writes that a second attempt could repeat (a new row, a new hold): never retried
# here; their callers decide (an HTTP client retries a hold with its Idempotency-Key).
NOT_IDEMPOTENT = {
    "CreateAccommodation",
    "UpdateAccommodation",
    "PreReserve",
    "CancelReservation",
    "AddFeed",
    "HandleNotification",
    "ReprocessNotification",
}


def service_config() -> str:
    """Service config: round robin over the resolved addresses, and (gRFC A6) retry UNAVAILABLE
    (the server did not act) on every idempotent method of our services and on health checks."""
    files = (booking_pb2, calendar_pb2, messaging_pb2, payments_pb2, speech_pb2)
    names = [
        {"service": service.full_name, "method": method.name}
        for file in files
        for service in file.DESCRIPTOR.services_by_name.values()
        for method in service.methods
        if method.name not in NOT_IDEMPOTENT
    ]
    policy = {
        "maxAttempts": 3,
        "initialBackoff": "0.1s",
        "maxBackoff": "1s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"],
    }
    return json.dumps(
        {
            # Every address the name resolves to (a headless Service: each ready pod) takes calls.
            "loadBalancingConfig": [{"round_robin": {}}],
            "methodConfig": [{"name": [*names, {"service": "grpc.health.v1.Health"}], "retryPolicy": policy}],
        }
    )


_SERVICE_CONFIG = service_config()


# grpc's interceptors are generic only in their stubs.
if TYPE_CHECKING:
    _UnaryUnary = grpc.aio.UnaryUnaryClientInterceptor[Any, Any]
    _UnaryStream = grpc.aio.UnaryStreamClientInterceptor[Any, Any]
else:
    _UnaryUnary = grpc.aio.UnaryUnaryClientInterceptor
    _UnaryStream = grpc.aio.UnaryStreamClientInterceptor


class _DefaultDeadline(_UnaryUnary, _UnaryStream):
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


def channel(address: str, deadline: float = DEFAULT_DEADLINE) -> grpc.aio.Channel:
    """An insecure channel (mesh or NetworkPolicy territory) with default deadline and retries."""
    return grpc.aio.insecure_channel(
        address,
        options=[("grpc.service_config", _SERVICE_CONFIG), ("grpc.enable_retries", 1)],
        interceptors=[_DefaultDeadline(deadline)],  # type: ignore[list-item]  # the stubs ask for a cast or this
    )


def error_info(exc: grpc.aio.AioRpcError | grpc.RpcError) -> error_details_pb2.ErrorInfo | None:
    """The google.rpc.ErrorInfo a service attached to a failed call, if any."""
    status = rpc_status.from_call(exc)  # type: ignore[arg-type]
    for detail in status.details if status else ():
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info
    return None


@contextmanager
def downstream(service: str) -> Iterator[None]:
    """Another service's failed call as a DomainError of ours, for adapters: NOT_FOUND
    stays NOT_FOUND; anything else means `service` did not answer (UNAVAILABLE)."""
    try:
        yield
    except grpc.aio.AioRpcError as exc:
        code = exc.code()
        if code == grpc.StatusCode.NOT_FOUND:
            raise DomainError(Kind.NOT_FOUND, "NOT_FOUND", exc.details() or "not found") from exc
        raise DomainError(Kind.UNAVAILABLE, code.name, exc.details() or f"{service} did not answer") from exc
