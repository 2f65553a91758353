"""gRPC channels to the services, made one way everywhere.

Every call gets a deadline: a client interceptor adds the channel's default
when the caller gave none. UNAVAILABLE is retried by the channel's service
config (gRFC A6) for idempotent methods only: a service also answers
UNAVAILABLE when its database fails mid-call.

Every call also says who makes it: once a process has called `identify(name,
secret)`, the interceptor puts `name`, the time and an HMAC-SHA256 of both
under SERVICE_TOKEN_SECRET in the `cabanas-caller` metadata; the callee's
caller check (services/common/grpc_server.py) verifies it and looks the method
up in its table of allowed callers. Where OpenTelemetry's client instrumentation
is not installed (nothing is exported: services/common/telemetry.py), the same
interceptor carries the trace context, so the callee's logs share the caller's
trace id without a client span per call.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from opentelemetry import propagate
from opentelemetry.instrumentation.grpc import GrpcAioInstrumentorClient
from pydantic import SecretStr

from cabanas.v1 import accounts_pb2, booking_pb2, calendar_pb2, messaging_pb2, payments_pb2, speech_pb2
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
    "CreateUser",
    "UpdateUser",
    "Login",  # a second session, a second failure counted
    "CreateApiToken",
    # The owner's actions: a retry after UNAVAILABLE could note twice, or find its own block in the way.
    "CreateBlock",
    "CreateManualReservation",
    "ChangeDates",
    "AddNote",
    "RecordPayment",
    "RefundPayment",  # without a key a retry is a second refund
    "SendReply",
}


def service_config() -> str:
    """Service config: round robin over the resolved addresses, and (gRFC A6) retry UNAVAILABLE
    (the server did not act) on every idempotent method of our services and on health checks."""
    files = (accounts_pb2, booking_pb2, calendar_pb2, messaging_pb2, payments_pb2, speech_pb2)
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


CALLER_METADATA = "cabanas-caller"  # "<name>:<unix seconds>:<hex HMAC-SHA256 of name:seconds>"


def caller_signature(secret: SecretStr, caller: str, timestamp: int) -> str:
    key = secret.get_secret_value().encode()
    return hmac.new(key, f"{caller}:{timestamp}".encode(), hashlib.sha256).hexdigest()


def caller_token(secret: SecretStr, caller: str, timestamp: int | None = None) -> str:
    """What `caller` puts in CALLER_METADATA: its name, signed with the time (now by default)."""
    at = int(time.time()) if timestamp is None else timestamp
    return f"{caller}:{at}:{caller_signature(secret, caller, at)}"


class _Identity:
    """Who this process is on its outgoing calls: `identify()` sets it once at start."""

    name = ""
    secret: SecretStr | None = None

    def metadata(self) -> tuple[tuple[str, str], ...]:
        if not self.name or self.secret is None:
            return ()  # development without SERVICE_TOKEN_SECRET: unsigned (the callee allows it there)
        return ((CALLER_METADATA, caller_token(self.secret, self.name)),)


_IDENTITY = _Identity()


def identify(name: str, secret: SecretStr | None) -> None:
    """Sign this process's outgoing calls as `name` (a service's name, or "gateway")."""
    _IDENTITY.name, _IDENTITY.secret = name, secret


class _CallDefaults(_UnaryUnary, _UnaryStream):
    """The channel's deadline when the caller gave none, this process's signed name and, with
    `carry_context`, the current trace context."""

    def __init__(self, seconds: float, carry_context: bool) -> None:
        self.seconds, self.carry_context = seconds, carry_context

    def _completed(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        timeout = self.seconds if details.timeout is None else details.timeout
        context: dict[str, str] = {}
        if self.carry_context:
            propagate.inject(context)
        metadata = (*(details.metadata or ()), *_IDENTITY.metadata(), *context.items())
        return grpc.aio.ClientCallDetails(
            details.method,
            timeout,
            grpc.aio.Metadata(*metadata),
            details.credentials,
            details.wait_for_ready,
        )

    async def intercept_unary_unary(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        return await continuation(self._completed(details), request)

    async def intercept_unary_stream(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        return await continuation(self._completed(details), request)


def channel(address: str, deadline: float = DEFAULT_DEADLINE) -> grpc.aio.Channel:
    """An insecure channel (mesh or NetworkPolicy territory) with default deadline, retries
    and the caller's signed name."""
    carry_context = not GrpcAioInstrumentorClient().is_instrumented_by_opentelemetry  # else it adds its own
    return grpc.aio.insecure_channel(
        address,
        options=[("grpc.service_config", _SERVICE_CONFIG), ("grpc.enable_retries", 1)],
        interceptors=[_CallDefaults(deadline, carry_context)],  # type: ignore[list-item]  # the stubs ask for a cast or this
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
