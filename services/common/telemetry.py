"""OpenTelemetry: a tracer provider named after the service, OTLP export when
OTEL_EXPORTER_OTLP_ENDPOINT is set, W3C propagation (the SDK default) and the
official instrumentations for grpc.aio, asyncpg, redis and httpx."""

import os

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.grpc import GrpcAioInstrumentorClient, GrpcAioInstrumentorServer
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def setup_telemetry(service: str) -> TracerProvider:
    """Install the global tracer provider and instrument the libraries.

    Call before creating gRPC servers or channels: the grpc.aio instrumentors
    patch the factory functions.
    """
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    for instrumentor in (
        GrpcAioInstrumentorServer(),
        GrpcAioInstrumentorClient(),
        AsyncPGInstrumentor(),
        RedisInstrumentor(),
        HTTPXClientInstrumentor(),
    ):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()
    return provider
