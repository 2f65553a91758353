"""Passwords: what is too weak to accept, and argon2id hashing off the event loop.

argon2-cffi's defaults are RFC 9106's second recommended profile (t=3, 64 MiB,
p=4): about 0.2 s per hash or check on one of a 2-core machine's cores (measured:
services/accounts/README.md). Hashing runs in a worker thread so the service keeps
answering meanwhile, at most `MAX_AT_ONCE` at a time so a burst of logins costs at
most that many times 64 MiB. A hash made with older parameters is redone at the next
successful login (`needs_rehash`).
"""

import asyncio
import re
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.common.errors import invalid

MIN_LENGTH = 10
MAX_LENGTH = 256  # a longer one is a paste accident, and costs hashing for nothing
MAX_AT_ONCE = 2

# The obvious: what people try first, in Spanish and English, letters only (digits and symbols
# around them do not make "password2024!" any better). The e-mail's own name is added per user.
OBVIOUS_WORDS = frozenset(
    {
        "cabanas",
        "cabana",
        "password",
        "contrasena",
        "clave",
        "admin",
        "administrador",
        "qwerty",
        "qwertyuiop",
        "asdfghjkl",
        "iloveyou",
        "teamo",
        "bienvenido",
        "welcome",
        "letmein",
        "dragon",
        "monkey",
        "football",
        "futbol",
        "boca",
        "river",
        "argentina",
        "abcdefghij",
    }
)
MIN_DISTINCT = 4  # "aaaaaaaaaa", "1212121212"


def _letters(text: str) -> str:
    """Lower-case ASCII letters of `text`, accents dropped: "Cabañas-2024!" -> "cabanas"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", ascii_text)


# Runs of keys people slide along: digits (0 after 9 too), the alphabet, the keyboard's rows.
RUNS = ("01234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


def _sequence(text: str) -> bool:
    """Whether `text` is a run of keys, forwards or backwards ("1234567890", "9876543210")."""
    lowered = text.lower()
    return any(lowered in run or lowered in run[::-1] for run in RUNS)


def check_strength(password: str, email: str) -> None:
    """Refuse (INVALID_ARGUMENT WEAK_PASSWORD) a password too short or too easy to guess."""
    if len(password) < MIN_LENGTH:
        raise invalid("WEAK_PASSWORD", f"La contraseña tiene que tener al menos {MIN_LENGTH} caracteres.")
    if len(password) > MAX_LENGTH:
        raise invalid("WEAK_PASSWORD", f"La contraseña puede tener hasta {MAX_LENGTH} caracteres.")
    letters = _letters(password)
    own = {_letters(email.partition("@")[0])} - {""}
    if (
        letters in OBVIOUS_WORDS | own
        or len(set(password)) < MIN_DISTINCT
        or _sequence(password)
        or any(word in letters for word in own if len(word) >= 4)
    ):
        raise invalid("WEAK_PASSWORD", "Esa contraseña es muy fácil de adivinar: elegí otra.")


class Hasher:
    """argon2id hashes, computed in worker threads, a few at a time."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._slots = asyncio.Semaphore(MAX_AT_ONCE)
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, hashed: str, password: str) -> bool:
        async with self._slots:
            return await asyncio.to_thread(self._matches, hashed, password)

    async def verify_nobody(self, password: str) -> None:
        """Spend what a check costs, for an e-mail nobody has: an answer as slow as a wrong password."""
        if self._dummy is None:
            self._dummy = await self.hash("not anyone's password")
        await self.verify(self._dummy, password)

    def needs_rehash(self, hashed: str) -> bool:
        """Whether `hashed` was made with other parameters than today's."""
        return self._hasher.check_needs_rehash(hashed)

    def _matches(self, hashed: str, password: str) -> bool:
        try:
            return self._hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False
