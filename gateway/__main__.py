"""`python -m gateway`: serve the API with uvicorn."""

from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from gateway.app import create_app
from services.common.logs import setup_logging
from services.common.settings import Settings, get_settings
from services.common.telemetry import setup_telemetry


def serve(build: Callable[[Settings], FastAPI]) -> None:
    """Logs, traces, then uvicorn until SIGTERM, draining like the gRPC services do."""
    settings = get_settings()
    setup_logging("gateway", settings.log_level)
    provider = setup_telemetry("gateway")
    try:
        uvicorn.run(
            build(settings),
            host=settings.gateway_host,
            port=settings.gateway_port,
            log_config=None,  # our JSON root handler
            access_log=False,
            timeout_graceful_shutdown=int(settings.grpc_shutdown_grace_seconds),
        )
    finally:
        provider.shutdown()


if __name__ == "__main__":
    serve(create_app)
