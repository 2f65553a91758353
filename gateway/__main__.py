"""`python -m gateway`: serve the API with uvicorn."""

from collections.abc import Callable

from fastapi import FastAPI

from gateway.app import create_app
from services.common.settings import Settings
from services.common.web import serve as serve_web


def serve(build: Callable[[Settings], FastAPI] = create_app) -> None:
    """The gateway on GATEWAY_HOST:GATEWAY_PORT (devtools.gateway passes its own app)."""
    serve_web("gateway", build, lambda s: (s.gateway_host, s.gateway_port))


if __name__ == "__main__":
    serve()
