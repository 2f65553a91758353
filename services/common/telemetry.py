"""OpenTelemetry: a tracer provider named after the service, OTLP export when
OTEL_EXPORTER_OTLP_ENDPOINT is set, W3C propagation (the SDK default) and the
official instrumentations for grpc.aio, asyncpg, redis and httpx."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import propagate, trace
from opentelemetry.context import Context
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


@contextmanager
def continued(name: str, traceparent: str, *, link: bool = False) -> Iterator[trace.Span]:
    """A span for work done later on behalf of a stored request (its `traceparent`).

    As a child it joins the request's trace: a guest's message, its processing and the
    reply read as one trace. With `link=True` it starts a trace of its own that links
    back, for consumers of an event stream whose work is not part of the request.
    """
    stored = propagate.extract({"traceparent": traceparent}) if traceparent else None
    tracer = trace.get_tracer("cabanas")
    if not link:
        with tracer.start_as_current_span(name, context=stored) as span:
            yield span
        return
    origin = trace.get_current_span(stored).get_span_context() if stored else None
    links = [trace.Link(origin)] if origin and origin.is_valid else []
    with tracer.start_as_current_span(name, context=Context(), links=links) as span:
        yield span
