"""`python -m gateway`: serve the API with uvicorn."""

import uvicorn

from gateway.app import create_app
from services.common.logs import setup_logging
from services.common.settings import get_settings
from services.common.telemetry import setup_telemetry

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
