"""The console's own settings, beside the shared `services.common.settings.Settings` it also reads
(service addresses, SERVICE_TOKEN_SECRET, session lifetime, TRUSTED_PROXIES).

Kept here until they join the shared class: CONSOLE_HOST, CONSOLE_PORT (8001), CONSOLE_SECRET
(the key of the CSRF tokens: required in production) and CONSOLE_TIME_ZONE (whose "today" /hoy shows).
"""

import secrets
from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.settings import ENVIRONMENTS, Settings


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    console_host: str = "0.0.0.0"
    console_port: int = 8001
    console_secret: SecretStr | None = None
    console_time_zone: str = "America/Argentina/Buenos_Aires"


def startup_problem(settings: Settings, console: ConsoleSettings) -> str | None:
    """Why the console must not start, if it must not: the shared rules, for the console's secrets."""
    if settings.environment not in ENVIRONMENTS:
        return f"ENVIRONMENT={settings.environment!r} is not accepted: use production or development"
    missing = [
        name
        for name, value in (
            ("SERVICE_TOKEN_SECRET", settings.service_token_secret),
            ("CONSOLE_SECRET", console.console_secret),
        )
        if settings.production and not value
    ]
    return f"refusing to start in production without {', '.join(missing)}" if missing else None


def csrf_key(console: ConsoleSettings) -> bytes:
    """CONSOLE_SECRET, or in development a key of this process (its forms stop verifying at a restart)."""
    if console.console_secret is not None:
        return console.console_secret.get_secret_value().encode()
    return secrets.token_bytes(32)


@lru_cache
def get_console_settings() -> ConsoleSettings:
    return ConsoleSettings()
