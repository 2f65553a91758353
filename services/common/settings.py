"""Settings from the environment, one class for every process (docs/configuration.md lists them)."""

from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Default gRPC ports; each service listens on the port of its own *_ADDR.
DEFAULT_ADDRS = {
    "booking": "localhost:50051",
    "messaging": "localhost:50052",
    "payments": "localhost:50053",
    "speech": "localhost:50054",
    "calendar": "localhost:50055",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    environment: str = "development"
    log_level: str = "INFO"

    database_url: str = "postgresql://postgres@127.0.0.1:5432/cabanas"
    redis_url: str = "redis://127.0.0.1:6379/0"

    # Where each service is reached (and, for the service itself, its port).
    booking_addr: str = DEFAULT_ADDRS["booking"]
    messaging_addr: str = DEFAULT_ADDRS["messaging"]
    payments_addr: str = DEFAULT_ADDRS["payments"]
    speech_addr: str = DEFAULT_ADDRS["speech"]
    calendar_addr: str = DEFAULT_ADDRS["calendar"]
    grpc_bind_host: str = "[::]"
    # Seconds in-flight RPCs get to finish after SIGTERM.
    grpc_shutdown_grace_seconds: float = 10.0
    # Prometheus port of a gRPC service; 0 disables it.
    metrics_port: int = 0

    gateway_host: str = "0.0.0.0"
    gateway_port: int = 8000

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
    ics_salt: SecretStr | None = None
    jwt_secret: SecretStr | None = None
    public_base_url: str = "http://localhost:8000"

    # How often every iCal feed is fetched (with ±10 % jitter).
    ical_sync_interval_seconds: float = 300

    audio_model: str = ""  # a CTranslate2 Whisper directory; empty = the bundled base model
    audio_model_cache: str = ""  # where the bundled model is assembled; empty = ~/.cache/cabanas
    audio_device: str = "auto"
    audio_min_confidence: float = 0.7
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
    rate_limit_requests: int = 60
    rate_limit_window_seconds: int = 60
    # Signed webhooks (WhatsApp, Mercado Pago) come in bursts from few addresses.
    rate_limit_webhook_requests: int = 600
    # Peers whose X-Forwarded-For is believed: comma-separated addresses or CIDRs (the ingress).
    trusted_proxies: str = ""

    def service_addr(self, name: str) -> str:
        """Address of service `name` (booking, messaging, payments, speech, calendar)."""
        return str(getattr(self, f"{name}_addr"))

    @property
    def production(self) -> bool:
        return self.environment.lower() == "production"

    @property
    def mercadopago_sandbox(self) -> bool:
        """No token: payment links go to the local sandbox served by the gateway."""
        return self.mercadopago_access_token is None

    def missing_production_secrets(self) -> list[str]:
        """Secrets a production deployment must set (empty outside production)."""
        if not self.production:
            return []
        required = (
            "whatsapp_access_token",
            "whatsapp_app_secret",
            "whatsapp_verify_token",
            "mercadopago_access_token",
            "mercadopago_webhook_secret",
            "ics_salt",
            "jwt_secret",
        )
        return [name.upper() for name in required if getattr(self, name) is None]


@lru_cache
def get_settings() -> Settings:
    return Settings()
