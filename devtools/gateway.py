"""`python -m devtools.gateway`: the gateway of `make run` and the test stack.

The production app (gateway.app.create_app) plus, when no Mercado Pago token is
set, the Mercado Pago sandbox at /sandbox/mercadopago, where the payments
service then sends its payment links. Production runs `python -m gateway`,
which never serves the sandbox.
"""

import uvicorn
from fastapi import FastAPI

from devtools.sandbox import mercadopago
from gateway import app as gateway_app
from services.common.logs import setup_logging
from services.common.settings import Settings, get_settings
from services.common.telemetry import setup_telemetry


def create_app(settings: Settings) -> FastAPI:
    app = gateway_app.create_app(settings)
    if settings.mercadopago_sandbox:
        mercadopago.mount(app, settings)
    return app


def main() -> None:
    """Served as gateway/__main__.py serves the production app."""
    settings = get_settings()
    setup_logging("gateway", settings.log_level)
    provider = setup_telemetry("gateway")
    try:
        uvicorn.run(
            create_app(settings),
            host=settings.gateway_host,
            port=settings.gateway_port,
            log_config=None,  # our JSON root handler
            access_log=False,
            timeout_graceful_shutdown=int(settings.grpc_shutdown_grace_seconds),
        )
    finally:
        provider.shutdown()


if __name__ == "__main__":
    main()
