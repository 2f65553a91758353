"""Without an exporter there is no client span per call, but the trace context still crosses to
the next service: the channels' interceptor carries it (services/common/grpc_clients.py)."""

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from opentelemetry import trace
from opentelemetry.instrumentation.grpc import GrpcAioInstrumentorClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from services.common.grpc_clients import channel

pytestmark = pytest.mark.stack  # a real gRPC server on a real port

Metadata = tuple[tuple[str, str | bytes], ...]


class _Recorder(grpc.aio.ServerInterceptor):
    def __init__(self) -> None:
        self.seen: list[Metadata] = []

    async def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Any]], details: grpc.HandlerCallDetails
    ) -> Any:
        self.seen.append(tuple(details.invocation_metadata or ()))
        return await continuation(details)


async def test_a_call_carries_the_unrecorded_span_it_is_made_in() -> None:
    assert not GrpcAioInstrumentorClient().is_instrumented_by_opentelemetry  # this process exports nothing
    recorder = _Recorder()
    server = grpc.aio.server(interceptors=[recorder])
    health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    tracer = TracerProvider(sampler=ALWAYS_OFF).get_tracer("test")
    calls = channel(f"127.0.0.1:{port}")
    try:
        stub = health_pb2_grpc.HealthStub(calls)
        with tracer.start_as_current_span("request") as span:
            await stub.Check(health_pb2.HealthCheckRequest())
        await stub.Check(health_pb2.HealthCheckRequest())  # outside any span: nothing to carry
    finally:
        await calls.close()
        await server.stop(None)

    within, outside = (dict(metadata) for metadata in recorder.seen)
    ctx = span.get_span_context()
    assert not span.is_recording() and ctx.is_valid
    ids = f"{trace.format_trace_id(ctx.trace_id)}-{trace.format_span_id(ctx.span_id)}"
    assert within["traceparent"] == f"00-{ids}-{ctx.trace_flags:02x}"  # not sampled: nothing is recorded
    assert "traceparent" not in outside
