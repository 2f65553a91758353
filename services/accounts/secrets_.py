"""Session and API token secrets: random, recognisable by their prefix, stored only as digests.

A secret is 32 random bytes (256 bits): guessing one is hopeless, so a plain SHA-256
digest is enough to store it (a slow hash is for what people choose: passwords). The
prefix says which table to look in, and lets a secret scanner recognise a leaked API
token (`cab_`).
"""

import hashlib
import secrets
from enum import Enum


class Kind(Enum):
    SESSION = "ses_"
    API_TOKEN = "cab_"


SHOWN_PREFIX = 8  # "cab_AbC1": enough to tell a user's tokens apart, nothing to guess with


def new_secret(kind: Kind) -> str:
    return kind.value + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def kind_of(secret: str) -> Kind | None:
    """Which kind of secret this looks like; None for anything else."""
    return next((kind for kind in Kind if secret.startswith(kind.value)), None)
