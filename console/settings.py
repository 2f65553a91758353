"""What only the console makes of the shared settings (`services.common.settings.Settings`:
CONSOLE_HOST, CONSOLE_PORT, CONSOLE_SECRET, CONSOLE_TIME_ZONE beside the services' addresses,
SERVICE_TOKEN_SECRET, the session lifetime and TRUSTED_PROXIES)."""

import secrets

from services.common.settings import Settings


def csrf_key(settings: Settings) -> bytes:
    """CONSOLE_SECRET, or in development a key of this process (its forms stop verifying at a restart)."""
    if settings.console_secret is not None:
        return settings.console_secret.get_secret_value().encode()
    return secrets.token_bytes(32)
