"""gRPC server bootstrap shared by the six services.

`run(service)` is each service's `__main__`: a refusal to start (one line,
exit 1) on an unknown ENVIRONMENT or, in production, without the secrets the
service uses (`settings.PRODUCTION_SECRETS`), then JSON logs, tracing, a grpc.aio
server with the standard health service and reflection, an interceptor that
logs, measures and turns unexpected exceptions into INTERNAL, dependencies
(Postgres schema + migrations, Redis) connected with retries, health SERVING
only while they answer, and a graceful shutdown on SIGTERM/SIGINT: health
NOT_SERVING first, then `server.stop(grace)` lets in-flight calls finish.

Caller checks: every call to a service's own methods carries the caller's
name signed with SERVICE_TOKEN_SECRET (services/common/grpc_clients.py); the
`CallerCheck` interceptor verifies it and refuses (PERMISSION_DENIED) a caller
that `CALLERS` does not list for the method. Unsigned calls are refused in
production; development lets them through (tests and tools dial services
directly) and says so once in the log. Health and reflection answer anyone.

Health names: "" and the service's full name report readiness (dependencies
up); "liveness" is SERVING while the process runs and never checks
dependencies (a Kubernetes liveness probe must not restart a pod because
Postgres is down).

A service's shape: its `build(runtime)` makes the App (named parts, named
loops) once the dependencies connect; the servicer is registered at start,
gets the App bound then, and only adapts: convert the request, call the core,
convert the answer. Domain code raises `DomainError`; `_guarded` maps it.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar

import asyncpg
import grpc
import redis.asyncio as aioredis
import uvloop
from google.protobuf.any_pb2 import Any as Any_
from google.protobuf.descriptor import ServiceDescriptor
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import _async as health_aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status
from opentelemetry.instrumentation.utils import suppress_instrumentation
from prometheus_client import Counter, Histogram, start_http_server
from pydantic import SecretStr

from services.common.db import DATABASE_DOWN, create_pool, migrate
from services.common.errors import DomainError, Kind
from services.common.grpc_clients import CALLER_METADATA, caller_signature, identify
from services.common.logs import setup_logging
from services.common.redis_client import create_redis
from services.common.settings import Settings, get_settings
from services.common.telemetry import setup_telemetry

log = logging.getLogger(__name__)

Context = grpc.aio.ServicerContext[Any, Any]  # what a servicer method's `context` is

# The interceptor class is generic only in grpc's stubs: subscripted for the checker alone.
if TYPE_CHECKING:
    _Interceptor = grpc.aio.ServerInterceptor[Any, Any]
else:
    _Interceptor = grpc.aio.ServerInterceptor

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
MAX_MESSAGE_BYTES = 20 * 1024 * 1024  # audio notes go up to 16 MiB

RPC_HANDLED = Counter("grpc_server_handled_total", "RPCs completed", ["method", "code"])
RPC_SECONDS = Histogram("grpc_server_handling_seconds", "RPC latency", ["method", "code"])


class DependencyNotReady(Exception):
    """A dependency the call needs has not connected yet."""


@dataclass
class Runtime:
    """What a servicer may use; `pool` and `redis` appear once connected."""

    settings: Settings
    pool: asyncpg.Pool | None = None
    redis: aioredis.Redis | None = None

    @property
    def db(self) -> asyncpg.Pool:
        """The pool; UNAVAILABLE for the caller while it is not connected yet."""
        if self.pool is None:
            raise DependencyNotReady("database not connected yet")
        return self.pool


Loop = Callable[[], Coroutine[Any, Any, None]]


class App:
    """A service's parts, built by its `build(runtime)` once the dependencies connect."""

    def loops(self) -> dict[str, Loop]:
        """Background loops by name, started once and cancelled on shutdown."""
        return {}

    async def ready(self) -> None:
        """Anything else readiness waits for (a model to load); raises while not ready."""

    async def close(self) -> None:
        """Release what build() opened (HTTP clients), after the server stopped."""


A = TypeVar("A", bound=App)


class Bound(Generic[A]):
    """A servicer's access to its App: UNAVAILABLE for callers until it is built."""

    _app: A | None = None

    @property
    def app(self) -> A:
        if self._app is None:
            raise DependencyNotReady("still starting")
        return self._app

    def bind(self, app: A) -> None:
        self._app = app


@dataclass(frozen=True)
class Service:
    """How to serve one service: its name, its gRPC servicer, its App and its dependencies."""

    name: str  # "booking": logs, traces, and the *_ADDR setting whose port it listens on
    descriptor: ServiceDescriptor  # from the generated *_pb2 module
    servicer: Callable[[], Bound[Any]]
    add_to_server: Callable[[Any, grpc.aio.Server], None]  # the generated add_*Servicer_to_server
    build: Callable[[Runtime], Awaitable[App]]
    schema: str | None = None  # Postgres schema it owns, if any
    migrations: Path | None = None
    needs_redis: bool = False
    redis_optional: bool = False  # it keeps working (degraded) without Redis: not part of readiness

    @property
    def full_name(self) -> str:
        return str(self.descriptor.full_name)

    @property
    def readiness_names(self) -> tuple[str, ...]:
        return ("", self.full_name)


if TYPE_CHECKING:  # what an interceptor's `continuation` is
    HandlerLookup = Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any] | None]]


def _with_behaviour(
    handler: grpc.RpcMethodHandler[Any, Any],
    unary: Callable[[Callable[..., Any]], Callable[..., Any]],
    stream: Callable[[Callable[..., Any]], Callable[..., Any]],
) -> grpc.RpcMethodHandler[Any, Any]:
    """`handler` with its unary or server-streaming behaviour replaced by `unary(old)` / `stream(old)`."""
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(
            unary(handler.unary_unary),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(
            stream(handler.unary_stream),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    return handler


class ErrorInterceptor(_Interceptor):
    """Logs and measures every unary call and turns unexpected exceptions into
    INTERNAL with a generic message: internals never reach the client."""

    async def intercept_service(
        self, continuation: HandlerLookup, details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler[Any, Any]:
        handler = await continuation(details)
        if handler is None:  # no such method: grpc answers UNIMPLEMENTED itself
            return handler  # type: ignore[return-value]
        method = details.method
        return _with_behaviour(handler, lambda old: _guard_unary(method, old), lambda old: _guard_stream(method, old))


# Who may call what: service -> method -> the processes allowed (a service's name,
# "gateway" or "console"), from the code's calls (the gateway's routes, the console's pages, each service's adapters;
# tests/hardening/test_13_least_privilege.py derives them again and compares). A method
# nobody calls is refused to everyone; a new call needs its line here.
CALLERS: dict[str, dict[str, frozenset[str]]] = {
    "booking": {
        "CreateAccommodation": frozenset({"gateway", "console"}),
        "UpdateAccommodation": frozenset({"gateway", "console"}),
        "GetAccommodation": frozenset({"gateway", "calendar", "console"}),
        "ListAccommodations": frozenset({"gateway", "messaging", "console"}),
        "CheckAvailability": frozenset({"gateway", "messaging"}),
        "Quote": frozenset({"console"}),
        "PreReserve": frozenset({"gateway", "messaging"}),
        "ConfirmReservation": frozenset({"gateway", "payments"}),
        "CancelReservation": frozenset({"gateway", "messaging", "console"}),
        "GetReservation": frozenset({"gateway", "messaging", "payments", "console"}),
        "ListReservations": frozenset({"gateway", "messaging", "calendar", "console"}),
        "ExpireDue": frozenset(),  # booking's own loop expires holds in process
        "SyncExternalBlocks": frozenset({"calendar"}),
        "StreamEvents": frozenset({"messaging", "payments"}),  # payments refunds on reservation.cancelled
        "CreateBlock": frozenset({"gateway", "console"}),
        "RemoveBlock": frozenset({"gateway", "console"}),
        "CreateManualReservation": frozenset({"gateway", "console"}),
        "ChangeDates": frozenset({"gateway", "console"}),
        "AddNote": frozenset({"gateway", "console"}),
    },
    "calendar": {
        "AddFeed": frozenset({"gateway", "console"}),
        "ListFeeds": frozenset({"gateway", "console", "messaging"}),  # messaging: failing feeds alert the team
        "RemoveFeed": frozenset({"gateway", "console"}),
        "SyncFeed": frozenset({"gateway", "console"}),
        "SyncAll": frozenset(),
        "ExportCalendar": frozenset({"gateway"}),
        "ExportUrl": frozenset({"gateway", "console"}),
    },
    "messaging": {
        "HandleWhatsAppWebhook": frozenset({"gateway"}),
        "ParseText": frozenset({"gateway"}),
        "GetConversation": frozenset({"gateway", "console"}),
        "SetHandoff": frozenset({"gateway", "console"}),
        "ListOutbox": frozenset({"gateway"}),
        "ListConversations": frozenset({"gateway", "console"}),
        "SendReply": frozenset({"gateway", "console"}),
        "ListEmails": frozenset({"gateway", "console"}),
    },
    "payments": {
        "CreatePaymentLink": frozenset({"gateway", "messaging"}),
        "HandleNotification": frozenset({"gateway"}),
        "GetPayment": frozenset(),
        "ListPayments": frozenset({"gateway", "messaging", "console"}),
        "ReprocessNotification": frozenset({"gateway"}),
        "StreamEvents": frozenset({"messaging"}),
        "RecordPayment": frozenset({"gateway", "console"}),
        "GetBalance": frozenset({"gateway", "messaging", "console"}),
        "RefundPayment": frozenset({"gateway", "console"}),
        "SettleRefund": frozenset({"gateway", "console"}),
    },
    "speech": {
        "Transcribe": frozenset({"gateway", "messaging"}),
    },
    "accounts": {
        "CreateUser": frozenset({"gateway", "console"}),
        "GetUser": frozenset({"gateway", "console"}),
        "ListUsers": frozenset({"gateway", "console", "messaging"}),  # messaging: who gets which alert
        "UpdateUser": frozenset({"gateway", "console"}),
        "SetPassword": frozenset({"gateway", "console"}),
        "Login": frozenset({"console"}),
        "Authenticate": frozenset({"console", "gateway"}),
        "Logout": frozenset({"console"}),
        "CreateApiToken": frozenset({"gateway", "console"}),
        "ListApiTokens": frozenset({"gateway", "console"}),
        "RevokeApiToken": frozenset({"gateway", "console"}),
    },
}
# How far a signature's time may be from ours, seconds: clock skew, not a session.
CALLER_SIGNATURE_MAX_AGE = 300


def verified_caller(token: str, secret: SecretStr, now: float) -> str | None:
    """The name in a `cabanas-caller` token, if its signature and time are right."""
    caller, _, rest = token.partition(":")
    timestamp, _, signature = rest.partition(":")
    if not caller or not timestamp.isdigit() or abs(now - int(timestamp)) > CALLER_SIGNATURE_MAX_AGE:
        return None
    if not hmac.compare_digest(signature, caller_signature(secret, caller, int(timestamp))):
        return None
    return caller


class CallerCheck(_Interceptor):
    """Refuses a call to one of `service`'s methods from a caller `CALLERS` does not allow."""

    def __init__(self, service: str, full_name: str, settings: Settings) -> None:
        self.callers = CALLERS.get(service, {})  # a service missing from the table: nobody
        self.prefix = f"/{full_name}/"
        self.secret = settings.service_token_secret
        self.development = settings.development
        self.told_unsigned = False

    async def intercept_service(
        self, continuation: HandlerLookup, details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler[Any, Any]:
        handler = await continuation(details)
        if handler is None or not details.method.startswith(self.prefix):
            return handler  # type: ignore[return-value]  # None: UNIMPLEMENTED; health, reflection: anyone
        refusal = self._refusal(details.method.removeprefix(self.prefix), details.invocation_metadata)
        if refusal is None:
            return handler
        log.warning("call refused: %s", refusal.message, extra={"method": details.method, "reason": refusal.reason})

        def refuse(_request: object, _context: Context) -> NoReturn:
            raise refusal  # inside the error interceptor's guard: PERMISSION_DENIED with the reason

        return _with_behaviour(handler, lambda _: refuse, lambda _: refuse)

    def _refusal(self, method: str, metadata: Any) -> DomainError | None:
        """Why the call must be refused, if it must."""
        token = next((value for key, value in metadata or () if key == CALLER_METADATA), None)
        if token is None or self.secret is None:
            if self.development:
                self._tell_unsigned()
                return None
            return DomainError(Kind.FORBIDDEN, "CALLER_UNSIGNED", f"{method} needs a signed caller")
        caller = verified_caller(str(token), self.secret, time.time())
        if caller is None:
            return DomainError(Kind.FORBIDDEN, "CALLER_UNVERIFIED", f"{method}: the caller's signature does not verify")
        if caller not in self.callers.get(method, frozenset()):
            return DomainError(Kind.FORBIDDEN, "CALLER_NOT_ALLOWED", f"{caller} may not call {method}")
        return None

    def _tell_unsigned(self) -> None:
        if not self.told_unsigned:
            self.told_unsigned = True
            log.warning("development: unsigned calls are let through (production refuses them)")


# Postgres or Redis unreachable, or a transaction Postgres rolled back to break a
# deadlock or a serialization conflict: nothing took effect, the caller may retry.
DEPENDENCY_DOWN = (
    *DATABASE_DOWN,
    asyncpg.TransactionRollbackError,
    aioredis.ConnectionError,
    aioredis.TimeoutError,
    DependencyNotReady,
)


_STATUS = {
    Kind.INVALID: grpc.StatusCode.INVALID_ARGUMENT,
    Kind.CONFLICT: grpc.StatusCode.FAILED_PRECONDITION,
    Kind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    Kind.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    Kind.FORBIDDEN: grpc.StatusCode.PERMISSION_DENIED,
    Kind.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    Kind.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
    Kind.EXHAUSTED: grpc.StatusCode.RESOURCE_EXHAUSTED,
}
# Constraints the database enforces, as the caller's mistake rather than ours.
_REFUSED_BY_DATABASE = (asyncpg.CheckViolationError, asyncpg.NotNullViolationError, asyncpg.DataError)


async def _abort(
    context: Context, code: grpc.StatusCode, reason: str, message: str, metadata: Mapping[str, str]
) -> NoReturn:
    """Fail the call with a google.rpc.ErrorInfo whose `reason` a client can branch on."""
    info = Any_()
    info.Pack(error_details_pb2.ErrorInfo(reason=reason, domain="cabanas", metadata=metadata))
    status = status_pb2.Status(code=code.value[0], message=message, details=[info])
    await context.abort(code, message, trailing_metadata=rpc_status.to_status(status).trailing_metadata)
    raise AssertionError("abort raises")


@asynccontextmanager
async def _guarded(method: str, context: Context) -> AsyncIterator[None]:
    """Measure the call; map domain errors to their status, anything unexpected to INTERNAL."""
    started, code = time.perf_counter(), "OK"
    try:
        yield
    except (grpc.aio.AbortError, asyncio.CancelledError):
        code = context.code().name if isinstance(context.code(), grpc.StatusCode) else "CANCELLED"
        raise
    except DomainError as exc:
        status = _STATUS[exc.kind]
        code = status.name
        await _abort(context, status, exc.reason, exc.message, exc.details)
    except asyncpg.UniqueViolationError as exc:
        code = "ALREADY_EXISTS"
        await _abort(context, grpc.StatusCode.ALREADY_EXISTS, "ALREADY_EXISTS", exc.detail or str(exc), {})
    except _REFUSED_BY_DATABASE as exc:
        code = "INVALID_ARGUMENT"
        await _abort(context, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_VALUE", str(exc), {})
    except DEPENDENCY_DOWN:
        code = "UNAVAILABLE"
        log.warning("dependency unavailable in %s", method, exc_info=True)
        await context.abort(grpc.StatusCode.UNAVAILABLE, "a dependency is unavailable; retry shortly")
    except NotImplementedError:
        code = "UNIMPLEMENTED"
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not implemented yet")
    except Exception:
        code = "INTERNAL"
        log.exception("unexpected error in %s", method)
        await context.abort(grpc.StatusCode.INTERNAL, "internal error")
    finally:
        RPC_HANDLED.labels(method, code).inc()
        RPC_SECONDS.labels(method, code).observe(time.perf_counter() - started)


def _guard_unary(method: str, behaviour: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def call(request: Any, context: Context) -> Any:
        async with _guarded(method, context):
            result = behaviour(request, context)
            return await result if inspect.isawaitable(result) else result

    return call


def _guard_stream(method: str, behaviour: Callable[..., Any]) -> Callable[..., AsyncIterator[Any]]:
    async def call(request: Any, context: Context) -> AsyncIterator[Any]:
        async with _guarded(method, context):
            responses = behaviour(request, context)
            if inspect.isasyncgen(responses):
                async for response in responses:
                    yield response
            else:
                for response in responses:
                    yield response

    return call


def _report_crash(task: asyncio.Task[None]) -> None:
    """A background loop must not die silently."""
    if not task.cancelled() and task.exception() is not None:
        log.error("background loop %s stopped", task.get_name(), exc_info=task.exception())


def bind_address(settings: Settings, name: str) -> str:
    """`[::]:<port of NAME_ADDR>`: a service listens on the port it is reached at."""
    port = settings.service_addr(name).rsplit(":", 1)[1]
    return f"{settings.grpc_bind_host}:{port}"


class _Server:
    def __init__(self, service: Service, settings: Settings) -> None:
        self.service = service
        self.runtime = Runtime(settings=settings)
        self.app: App | None = None
        self.workers: list[asyncio.Task[None]] = []
        self.health = health_aio.HealthServicer()
        self.server = grpc.aio.server(
            # The error interceptor outside: refusals are measured like any other answer.
            interceptors=[ErrorInterceptor(), CallerCheck(service.name, service.full_name, settings)],
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ],
        )
        self.servicer = service.servicer()
        service.add_to_server(self.servicer, self.server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            (service.full_name, health.SERVICE_NAME, reflection.SERVICE_NAME), self.server
        )

    async def _connect(self) -> None:
        svc, rt = self.service, self.runtime
        if svc.schema and rt.pool is None:
            pool = await create_pool(rt.settings.database_url, svc.schema)
            async with pool.acquire() as conn:
                await migrate(conn, svc.schema, svc.migrations)
            rt.pool = pool
        if svc.needs_redis and rt.redis is None:
            rt.redis = create_redis(rt.settings.redis_url)
        if self.app is None:
            self.app = await svc.build(rt)
            self.servicer.bind(self.app)

    async def _check(self) -> None:
        await self._connect()
        if self.runtime.pool is not None:
            await self.runtime.pool.fetchval("SELECT 1", timeout=2)
        if self.runtime.redis is not None and not self.service.redis_optional:
            await self.runtime.redis.ping()
        if self.app is not None:
            await self.app.ready()

    async def _watch_dependencies(self) -> None:
        """Keep health in step with the dependencies, forever."""
        ready, started = None, False
        while True:
            try:
                with suppress_instrumentation():  # a probe every few seconds is not worth a trace
                    await asyncio.wait_for(self._check(), timeout=120)  # a first model load takes a while
                now_ready, problem = True, ""
            except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
                now_ready, problem = False, f"{type(exc).__name__}: {exc}"
            if now_ready and not started:
                started = True
                loops = self.app.loops() if self.app is not None else {}
                self.workers = [asyncio.create_task(loop(), name=name) for name, loop in loops.items()]
                for task in self.workers:
                    task.add_done_callback(_report_crash)
            if now_ready != ready:
                status = SERVING if now_ready else NOT_SERVING
                for name in self.service.readiness_names:
                    await self.health.set(name, status)
                log.info("ready" if now_ready else "not ready", extra={"problem": problem} if problem else {})
                ready = now_ready
            await asyncio.sleep(5 if ready else 1)

    async def serve(self) -> None:
        settings = self.runtime.settings
        address = bind_address(settings, self.service.name)
        for name in self.service.readiness_names:
            await self.health.set(name, NOT_SERVING)
        await self.health.set("liveness", SERVING)
        self.server.add_insecure_port(address)
        await self.server.start()
        if settings.metrics_port:
            start_http_server(settings.metrics_port)
        log.info("listening", extra={"address": address})

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        watcher = asyncio.create_task(self._watch_dependencies())
        await stop.wait()

        log.info("shutting down", extra={"grace_seconds": settings.grpc_shutdown_grace_seconds})
        await self.health.enter_graceful_shutdown()
        await self.server.stop(settings.grpc_shutdown_grace_seconds)
        for task in (watcher, *self.workers):
            task.cancel()
        if self.app is not None:
            await self.app.close()
        if self.runtime.pool is not None:
            await self.runtime.pool.close()
        if self.runtime.redis is not None:
            await self.runtime.redis.aclose()


async def _serve(service: Service, settings: Settings) -> None:
    await _Server(service, settings).serve()  # built inside the loop grpc.aio will use


def run(service: Service) -> None:
    """Entry point of `python -m services.<name>`."""
    settings = get_settings()
    settings.check_startup(service.name)
    setup_logging(service.name, settings.log_level)
    identify(service.name, settings.service_token_secret)
    provider = setup_telemetry(service.name)
    try:
        uvloop.run(_serve(service, settings))  # grpc.aio runs on it; its sockets cost less than asyncio's
    finally:
        provider.shutdown()
