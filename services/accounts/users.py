"""Users: who they are, what they may do, and the rules that keep someone in charge.

An e-mail is the login name, kept lower-case (unique whatever its case); a phone is
WhatsApp's E.164. There is always an active owner: the last one can be neither
demoted nor deactivated (LAST_OWNER), and the check locks the owners' rows so two
owners demoting each other at once cannot both succeed. A deactivated user's
sessions end at once; their API tokens stop authenticating while they are inactive.
"""

import re
from typing import Any

import asyncpg

from services.accounts import alerts, store, throttle
from services.accounts.passwords import Hasher, check_strength
from services.common.errors import DomainError, Kind, conflict, invalid, not_found

ROLES = ("owner", "staff", "viewer")
OWNER = "owner"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+[1-9][0-9]{7,14}$")
_PHONE_PUNCTUATION = re.compile(r"[\s().-]")
MAX_EMAIL = 254
MAX_NAME = 120
EDITABLE = ("name", "phone", "role", "active", "notifications")


def login_failed() -> DomainError:
    """The one answer to a wrong password, an unknown e-mail or an inactive user."""
    return DomainError(Kind.UNAUTHENTICATED, "LOGIN_FAILED", "El e-mail o la contraseña no son correctos.")


def email(value: str) -> str:
    normalized = value.strip().lower()
    if len(normalized) > MAX_EMAIL or not _EMAIL.match(normalized):
        raise invalid("INVALID_EMAIL", "Ese e-mail no parece válido.")
    return normalized


def phone(value: str) -> str:
    """E.164, punctuation people type dropped ("+54 9 294 412-3456"); empty stays empty."""
    normalized = _PHONE_PUNCTUATION.sub("", value)
    if normalized and not _PHONE.match(normalized):
        raise invalid("INVALID_PHONE", "El teléfono va con el código de país, por ejemplo +5492944123456.")
    return normalized


def name(value: str) -> str:
    normalized = " ".join(value.split())
    if not 1 <= len(normalized) <= MAX_NAME:
        raise invalid("INVALID_NAME", f"El nombre tiene que tener entre 1 y {MAX_NAME} caracteres.")
    return normalized


def role(value: str) -> str:
    if value not in ROLES:
        raise invalid("INVALID_ROLE", f"El rol tiene que ser uno de: {', '.join(ROLES)}.")
    return value


_CHECKS: dict[str, Any] = {"name": name, "phone": phone, "role": role, "notifications": alerts.checked}


def changes(fields: dict[str, Any]) -> dict[str, Any]:
    """The checked values of an update; a field outside EDITABLE is refused (INVALID_FIELD)."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise invalid("INVALID_FIELD", f"Campos que no se pueden cambiar: {', '.join(unknown)}.")
    return {key: _CHECKS[key](value) if key in _CHECKS else bool(value) for key, value in fields.items()}


def leaves_no_owner(user: asyncpg.Record, fields: dict[str, Any], active_owners: list[int]) -> bool:
    """Whether changing `user` so would leave no active owner."""
    stays_owner = fields.get("role", user["role"]) == OWNER and fields.get("active", user["active"])
    return not stays_owner and active_owners == [user["id"]]


async def create(
    pool: asyncpg.Pool, hasher: Hasher, *, email_: str, name_: str, phone_: str, role_: str, password: str
) -> asyncpg.Record:
    """A new active user; ALREADY_EXISTS (from the unique constraint) when the e-mail is taken."""
    fields = {"email": email(email_), "name": name(name_), "phone": phone(phone_), "role": role(role_)}
    check_strength(password, fields["email"])
    fields["password_hash"] = await hasher.hash(password)
    async with pool.acquire() as conn:
        try:
            return await store.insert_user(conn, fields)
        except asyncpg.UniqueViolationError:
            raise DomainError(Kind.ALREADY_EXISTS, "ALREADY_EXISTS", "Ya hay un usuario con ese e-mail.") from None


async def find(pool: asyncpg.Pool, id: int) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await store.get_user(conn, id)
    if row is None:
        raise not_found(f"No existe el usuario {id}.")
    return row


async def listing(pool: asyncpg.Pool, limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
    async with pool.acquire() as conn:
        return await store.list_users(conn, limit, offset)


async def update(pool: asyncpg.Pool, id: int, fields: dict[str, Any]) -> asyncpg.Record:
    checked = changes(fields)
    async with pool.acquire() as conn, conn.transaction():
        owners = await store.lock_owners(conn)
        user = await store.get_user(conn, id, for_update=True)
        if user is None:
            raise not_found(f"No existe el usuario {id}.")
        if leaves_no_owner(user, checked, owners):
            raise conflict("LAST_OWNER", "Tiene que quedar al menos un dueño activo.")
        updated = await store.update_user(conn, id, checked)
        if checked.get("active") is False:
            await store.revoke_sessions_of(conn, id)
    assert updated is not None  # locked above
    return updated


async def set_password(
    pool: asyncpg.Pool, hasher: Hasher, limits: throttle.Limits, id: int, password: str, current: str
) -> asyncpg.Record:
    """A new password (every session of theirs ends); `current`, when given, must be the present one,
    guessed no faster than a login (a stolen session must not become a password oracle)."""
    async with pool.acquire() as conn:
        user = await store.user_with_hash(conn, id=id)
    if user is None:
        raise not_found(f"No existe el usuario {id}.")
    check_strength(password, user["email"])
    attempt = await throttle.begin(pool, limits, user["email"], client="") if current else None
    if current and not await hasher.verify(user["password_hash"], current):
        raise login_failed()
    hashed = await hasher.hash(password)
    async with pool.acquire() as conn, conn.transaction():
        if attempt is not None:
            await throttle.succeeded(conn, attempt)
        updated = await store.update_user(conn, id, {"password_hash": hashed})
        await store.revoke_sessions_of(conn, id)
    assert updated is not None  # users are never deleted
    return updated


async def has_active_owner(pool: asyncpg.Pool) -> bool:
    async with pool.acquire() as conn:
        return await store.count_active_owners(conn) > 0
