"""`python -m console`: serve the owner's web app with uvicorn on CONSOLE_PORT."""

import uvicorn

from console.app import create_app
from services.common.logs import setup_logging
from services.common.settings import get_settings
from services.common.telemetry import setup_telemetry


def main() -> None:
    """Logs, traces, then uvicorn until SIGTERM, draining like the gateway."""
    settings = get_settings()
    setup_logging("console", settings.log_level)
    provider = setup_telemetry("console")
    try:
        uvicorn.run(
            create_app(settings),
            host=settings.console_host,
            port=settings.console_port,
            log_config=None,  # our JSON root handler
            access_log=False,
            timeout_graceful_shutdown=int(settings.grpc_shutdown_grace_seconds),
        )
    finally:
        provider.shutdown()


if __name__ == "__main__":
    main()
