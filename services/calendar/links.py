"""Tokenised export URLs: token = hex HMAC-SHA256(ICS_SALT, accommodation id)."""

import hashlib
import hmac

from services.common.settings import Settings

DEV_SALT = "development-only-ics-salt"  # public: never a key outside development


def salt(settings: Settings) -> bytes:
    if settings.ics_salt:
        return settings.ics_salt.get_secret_value().encode()
    if not settings.development:
        raise RuntimeError("ICS_SALT is not set: export tokens need it outside development")
    return DEV_SALT.encode()


def token(key: bytes, accommodation_id: int) -> str:
    return hmac.new(key, str(accommodation_id).encode(), hashlib.sha256).hexdigest()


def token_matches(key: bytes, accommodation_id: int, given: str) -> bool:
    return hmac.compare_digest(token(key, accommodation_id).encode(), given.lower().encode())  # bytes: any input


def export_url(settings: Settings, accommodation_id: int) -> str:
    base = settings.public_base_url.rstrip("/")
    return f"{base}/api/v1/ical/export/{accommodation_id}.ics?token={token(salt(settings), accommodation_id)}"
