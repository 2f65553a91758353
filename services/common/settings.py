"""Settings from the environment, one class for every process (docs/configuration.md lists them)."""

from functools import lru_cache
from typing import Literal, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Default gRPC ports; each service listens on the port of its own *_ADDR.
DEFAULT_ADDRS = {
    "booking": "localhost:50051",
    "messaging": "localhost:50052",
    "payments": "localhost:50053",
    "speech": "localhost:50054",
    "calendar": "localhost:50055",
    "accounts": "localhost:50056",
}

# ENVIRONMENT's accepted values, exactly: unset means production; anything else refuses to start.
ENVIRONMENTS = ("production", "development")

# What each process uses and refuses to start without in production: its secrets (and
# messaging's sending number). docs/configuration.md and deploy/k8s/README.md list the same.
# Every process signs its calls to the services and checks its callers with SERVICE_TOKEN_SECRET.
PRODUCTION_SECRETS: dict[str, tuple[str, ...]] = {
    "gateway": (
        "whatsapp_app_secret",
        "whatsapp_verify_token",
        "mercadopago_webhook_secret",
        "jwt_secret",
        "service_token_secret",
    ),
    "booking": ("service_token_secret",),
    "messaging": ("whatsapp_access_token", "whatsapp_phone_id", "service_token_secret"),
    "payments": ("mercadopago_access_token", "service_token_secret"),
    "speech": ("service_token_secret",),
    "calendar": ("ics_salt", "service_token_secret"),
    "accounts": ("service_token_secret",),
    "console": ("service_token_secret", "console_secret"),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    environment: str = "production"  # development behaviour only with exactly "development"
    log_level: str = "INFO"

    # The process's own Postgres role (a service's owns its schema only).
    database_url: str = "postgresql://postgres@127.0.0.1:5432/cabanas"
    # The migration role, for `python -m services.common.migrate`; empty = DATABASE_URL.
    migration_database_url: str = ""
    # `sslmode` of both URLs when they name none (disable, prefer, require, verify-ca, verify-full).
    database_sslmode: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"

    # Where each service is reached (and, for the service itself, its port).
    booking_addr: str = DEFAULT_ADDRS["booking"]
    messaging_addr: str = DEFAULT_ADDRS["messaging"]
    payments_addr: str = DEFAULT_ADDRS["payments"]
    speech_addr: str = DEFAULT_ADDRS["speech"]
    calendar_addr: str = DEFAULT_ADDRS["calendar"]
    accounts_addr: str = DEFAULT_ADDRS["accounts"]
    grpc_bind_host: str = "[::]"
    # Seconds in-flight RPCs get to finish after SIGTERM.
    grpc_shutdown_grace_seconds: float = 10.0
    # Prometheus port of a gRPC service; 0 disables it.
    metrics_port: int = 0

    gateway_host: str = "0.0.0.0"
    gateway_port: int = 8000

    console_host: str = "0.0.0.0"
    console_port: int = 8001
    # Key of the console's CSRF tokens (its forms).
    console_secret: SecretStr | None = None
    # Whose "today" the console's /hoy shows.
    console_time_zone: str = "America/Argentina/Buenos_Aires"

    whatsapp_access_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_phone_id: str = ""
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    # Approved templates for notifications outside WhatsApp's 24-hour window
    # (body parameters: guest name, reservation code, cabin, dates).
    whatsapp_template_language: str = "es_AR"
    whatsapp_template_confirmed: str = "reserva_confirmada"
    whatsapp_template_expired: str = "reserva_vencida"
    whatsapp_template_reminder: str = "reserva_recordatorio"
    whatsapp_template_payment: str = "pago_actualizado"
    # Sent instead of a person's reply outside the window, to reopen it (body parameter: guest name).
    whatsapp_template_reply: str = "retomar_conversacion"
    # The guest's journey outside the window: check-in instructions, check-out, review, balance due.
    whatsapp_template_stay: str = "estadia_aviso"
    # The team's alerts outside their window (body parameter: the alerts' summary).
    whatsapp_template_alert: str = "aviso_equipo"
    mercadopago_access_token: SecretStr | None = None
    mercadopago_webhook_secret: SecretStr | None = None
    mercadopago_api_base: str = "https://api.mercadopago.com"
    # Webhook timestamps further than this from now are refused (replays).
    mercadopago_webhook_tolerance_seconds: float = 300
    # First retry delay of a notification whose processing failed (doubles, up to 15 min).
    payments_retry_base_seconds: float = 5
    # After repeated Mercado Pago outages, calls pause this long before a probe.
    mercadopago_circuit_recovery_seconds: float = 30
    # How often open payment links near expiry are checked against Mercado Pago.
    payments_reconcile_interval_seconds: float = 60
    # How many days before check-in the guest is sent the balance's link (when collected online).
    balance_due_days_before: int = 7
    # How many days before check-in the guest gets the check-in instructions.
    checkin_instructions_days_before: int = 2
    # E-mail (messaging): without SMTP_HOST nothing leaves the machine, e-mails stay in the outbox.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = "Cabañas <reservas@localhost>"
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    # The team's alerts that come within this many seconds go out as one message.
    alert_batch_seconds: float = 30
    # Where the console is, for the links in the team's alerts.
    console_base_url: str = "http://localhost:8001"
    ics_salt: SecretStr | None = None
    # Key of the HMAC that signs each process's name on its gRPC calls (caller checks).
    service_token_secret: SecretStr | None = None
    jwt_secret: SecretStr | None = None
    public_base_url: str = "http://localhost:8000"

    # How often every iCal feed is fetched (with ±10 % jitter).
    ical_sync_interval_seconds: float = 300
    # Whether channel feeds and WhatsApp media may be fetched from loopback, private, link-local...
    # addresses (services/common/safe_http.py): for development and tests, whose servers are local.
    allow_private_fetch_addresses: bool = False

    audio_model: str = ""  # a CTranslate2 Whisper directory; empty = the bundled base model
    audio_model_cache: str = ""  # where the bundled model is assembled; empty = ~/.cache/cabanas
    audio_device: str = "auto"
    audio_min_confidence: float = 0.7
    # Tries of a guest message that fails by itself before it is dead-lettered with an apology.
    messaging_max_attempts: int = 5
    # CPU threads of one transcription; 0 = half the cores (at least 1), so the
    # other services keep a core on a 2-core machine.
    audio_cpu_threads: int = 0
    audio_workers: int = 1  # transcriptions running at once
    audio_queue_size: int = 4  # transcriptions waiting; more => RESOURCE_EXHAUSTED
    # Notes from different guests decoded in one batch: 0 = 8 on a GPU, 1 (no batching) on a CPU.
    audio_batch_size: int = 0
    # How long the first note of a batch waits for others to join.
    audio_batch_window_ms: float = 20
    audio_max_seconds: float = 300
    pre_reservation_ttl_minutes: int = 30
    # Open (unpaid, not run out) holds one guest phone / one public API client may have; 0 = no cap.
    max_open_holds_per_phone: int = 3
    max_open_holds_per_client: int = 5
    rate_limit_requests: int = 60
    rate_limit_window_seconds: int = 60
    # Signed webhooks (WhatsApp, Mercado Pago) come in bursts from few addresses.
    rate_limit_webhook_requests: int = 600
    # Console sessions: they end after this many hours unused, and this many hours after login at the latest.
    session_idle_hours: float = 12
    session_max_hours: float = 7 * 24
    # Login throttling (services/accounts/throttle.py): failed logins counted over a sliding window;
    # past a limit the e-mail (or the client address) is refused until old failures leave the window.
    login_window_seconds: int = 15 * 60
    login_max_failures_per_email: int = 10
    login_max_failures_per_client: int = 20
    # The development owner `make run` creates (unset: owner@localhost with a generated password).
    console_owner_email: str = ""
    console_owner_password: SecretStr | None = None
    console_owner_phone: str = ""
    # Peers whose X-Forwarded-For is believed: comma-separated addresses or CIDRs (the ingress).
    trusted_proxies: str = ""

    @model_validator(mode="after")
    def _apply_sslmode(self) -> Self:
        if self.database_sslmode:
            self.database_url = with_sslmode(self.database_url, self.database_sslmode)
            if self.migration_database_url:
                self.migration_database_url = with_sslmode(self.migration_database_url, self.database_sslmode)
        return self

    def service_addr(self, name: str) -> str:
        """Address of service `name` (booking, messaging, payments, speech, calendar, accounts)."""
        return str(getattr(self, f"{name}_addr"))

    @property
    def development(self) -> bool:
        """The sandboxes, the iCal development salt, unsigned webhooks: only with ENVIRONMENT=development."""
        return self.environment == "development"

    @property
    def production(self) -> bool:
        return not self.development

    @property
    def mercadopago_sandbox(self) -> bool:
        """Development without a token: payment links go to the local sandbox served by the gateway."""
        return self.development and self.mercadopago_access_token is None

    def startup_problem(self, process: str) -> str | None:
        """Why `process` (a service name, "gateway" or "console") must not start with these settings, if it must not."""
        if self.environment not in ENVIRONMENTS:
            accepted = " or ".join(ENVIRONMENTS)
            return f"ENVIRONMENT={self.environment!r} is not accepted: use {accepted} (unset means production)"
        # An empty value is missing too: an empty key is known to everyone.
        missing = [name.upper() for name in PRODUCTION_SECRETS[process] if self.production and not getattr(self, name)]
        if missing:
            return f"refusing to start in production without {', '.join(missing)}"
        return None

    def check_startup(self, process: str) -> None:
        """Exit with one line on stderr (status 1, no traceback) when `process` must not start."""
        problem = self.startup_problem(process)
        if problem is not None:
            raise SystemExit(f"{process}: {problem}")


def with_sslmode(url: str, sslmode: str) -> str:
    """`url` with `sslmode` in its query, unless it names one already."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    if any(key == "sslmode" for key, _ in query):
        return url
    return urlunsplit(parts._replace(query=urlencode([*query, ("sslmode", sslmode)])))


@lru_cache
def get_settings() -> Settings:
    return Settings()
