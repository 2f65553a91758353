"""`python -m devtools.gateway`: the gateway of `make run` and the test stack.

The production app (gateway.app.create_app) plus, in development
(ENVIRONMENT=development) without a Mercado Pago token, the Mercado Pago
sandbox at /sandbox/mercadopago, where the payments service then sends its
payment links; it answers only clients on this machine. Production runs
`python -m gateway`, which never serves the sandbox; this one does not either
in production.
"""

from fastapi import FastAPI

from devtools.sandbox import mercadopago
from gateway import app as gateway_app
from gateway.__main__ import serve
from services.common.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    app = gateway_app.create_app(settings)
    if settings.mercadopago_sandbox:  # development, and no token
        mercadopago.mount(app, settings)
    return app


if __name__ == "__main__":
    serve(create_app)
