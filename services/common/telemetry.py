"""OpenTelemetry: a tracer provider named after the service, OTLP export when
OTEL_EXPORTER_OTLP_ENDPOINT is set, W3C propagation (the SDK default) and the
official instrumentations for grpc.aio servers, and when exporting for grpc.aio
clients, asyncpg, redis and httpx too. Without an exporter spans are not recorded
(they still carry the ids the logs and X-Trace-Id show, and the channels'
interceptor carries them to the next service: services/common/grpc_clients.py):
tracing costs next to nothing where nobody reads it.

Spans are read by more people than guest data is: the URLs the instrumentations
record lose every query value (iCal `token`, `hub.verify_token`, `phone`, a feed's
secret...) and the phones and emails in their paths (see `redact_url`)."""

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
from opentelemetry.sdk.trace import Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased

from services.common.logs import redact

# Where the HTTP instrumentations (server and client, old and new conventions) put the URL.
URL_ATTRIBUTES = ("http.url", "url.full", "http.target", "url.path")
QUERY_ATTRIBUTE = "url.query"
MASK = "REDACTED"  # what OpenTelemetry's own URL redaction writes


def redact_query(query: str) -> str:
    """Every value masked; the names stay, they say what was asked."""
    pairs = (pair.partition("=") for pair in query.split("&"))
    return "&".join(f"{name}={MASK}" if sep else MASK for name, sep, _ in pairs) if query else query


def redact_url(url: str) -> str:
    """A URL, or a path, with its query values masked and phones and emails masked as the logs mask them."""
    path, mark, query = url.partition("?")
    return redact(path) + mark + redact_query(query)


def redact_urls(span: trace.Span) -> None:
    """Mask the URL attributes `span` has so far (see `redact_url`)."""
    attributes = getattr(span, "attributes", None) or {}  # an SDK span's; a non-recording one has none
    for key in (*URL_ATTRIBUTES, QUERY_ATTRIBUTE):
        value = attributes.get(key)
        if isinstance(value, str):
            span.set_attribute(key, redact_query(value) if key == QUERY_ATTRIBUTE else redact_url(value))


class RedactUrls(SpanProcessor):
    """Redacts every span's URL attributes as it starts, where instrumentations (httpx's) set them.
    The ASGI server instrumentation sets its own again after the start: the gateway redacts those
    in its server request hook (gateway/app.py)."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:  # noqa: ARG002 - the SDK's signature
        redact_urls(span)


def setup_telemetry(service: str) -> TracerProvider:
    """Install the global tracer provider and instrument the libraries.

    Call before creating gRPC servers or channels: the grpc.aio instrumentors
    patch the factory functions.
    """
    exported = bool(
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )
    # Nowhere to send them, spans are not recorded: they still carry trace ids (the logs' and
    # X-Trace-Id's) and propagate, but cost no attributes, events or processing per call.
    sampler = ParentBased(ALWAYS_ON) if exported else ALWAYS_OFF
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}), sampler=sampler)
    provider.add_span_processor(RedactUrls())
    if exported:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    # The server's takes the context a call carries; the others make spans of each call or query,
    # worth their cost only where they go somewhere.
    spans = (GrpcAioInstrumentorClient(), AsyncPGInstrumentor(), RedisInstrumentor(), HTTPXClientInstrumentor())
    for instrumentor in (GrpcAioInstrumentorServer(), *(spans if exported else ())):
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
