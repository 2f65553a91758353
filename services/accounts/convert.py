"""Protobuf <-> accounts' values; the role table comes from the enum's descriptor."""

from collections.abc import Iterable
from typing import Any

import asyncpg

from cabanas.v1 import accounts_pb2, common_pb2
from services.accounts import alerts, users
from services.accounts.auth import Principal
from services.accounts.secrets_ import Kind
from services.common import pb
from services.common.errors import invalid

ROLES = pb.enum_values(accounts_pb2.Role, "ROLE_")
ROLE_NAMES = pb.enum_names(accounts_pb2.Role, "ROLE_")
ALERTS = pb.enum_values(accounts_pb2.Alert, "ALERT_")
ALERT_NAMES = pb.enum_names(accounts_pb2.Alert, "ALERT_")
CREDENTIAL_KINDS = {
    Kind.SESSION: accounts_pb2.CREDENTIAL_KIND_SESSION,
    Kind.API_TOKEN: accounts_pb2.CREDENTIAL_KIND_API_TOKEN,
}
assert set(ROLES) == set(users.ROLES), "the contract's roles and the service's differ"
assert set(ALERTS) == set(alerts.ALERTS), "the contract's alerts and the service's differ"
assert set(accounts_pb2.NotificationPreferences.DESCRIPTOR.fields_by_name) == set(alerts.CHANNELS)


def role(value: accounts_pb2.Role) -> str:
    if value not in ROLE_NAMES:
        raise invalid("INVALID_ROLE", f"El rol tiene que ser uno de: {', '.join(users.ROLES)}.")
    return ROLE_NAMES[value]


def user_pb(row: asyncpg.Record) -> accounts_pb2.User:
    return accounts_pb2.User(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        phone=row["phone"],
        role=ROLES[row["role"]],
        active=row["active"],
        created_at=pb.timestamp_pb(row["created_at"]),
        updated_at=pb.timestamp_pb(row["updated_at"]),
        last_login_at=pb.timestamp_pb(row["last_login_at"]),
        notifications=accounts_pb2.NotificationPreferences(
            **{channel: [ALERTS[a] for a in chosen] for channel, chosen in alerts.of(row).items()}
        ),
    )


def users_pb(rows: Iterable[asyncpg.Record], page: common_pb2.PageResponse) -> accounts_pb2.ListUsersResponse:
    return accounts_pb2.ListUsersResponse(users=[user_pb(r) for r in rows], page=page)


def user_changes(user: accounts_pb2.User, paths: list[str]) -> dict[str, Any]:
    """The named fields' new values (every set field when `paths` is empty); users.changes checks them."""
    names = paths or [field.name for field, _ in user.ListFields()]
    fields: dict[str, Any] = {name: getattr(user, name, None) for name in names}
    if "role" in fields:
        fields["role"] = role(user.role)
    if "notifications" in fields:
        fields["notifications"] = preferences(user.notifications)
    return fields


def preferences(chosen: accounts_pb2.NotificationPreferences) -> dict[str, list[str]]:
    """Alerts by channel name; INVALID_ALERT for a value the contract does not name."""
    if any(a not in ALERT_NAMES for channel in alerts.CHANNELS for a in getattr(chosen, channel)):
        raise invalid("INVALID_ALERT", "Hay un aviso desconocido.")
    return {channel: [ALERT_NAMES[a] for a in getattr(chosen, channel)] for channel in alerts.CHANNELS}


def session_pb(secret: str, expires_at: Any, row: asyncpg.Record) -> accounts_pb2.Session:
    return accounts_pb2.Session(token=secret, expires_at=pb.timestamp_pb(expires_at), user=user_pb(row))


def principal_pb(found: Principal) -> accounts_pb2.Principal:
    return accounts_pb2.Principal(
        user_id=found.user_id,
        email=found.email,
        name=found.name,
        role=ROLES[found.role],
        kind=CREDENTIAL_KINDS[found.kind],
        credential_id=found.credential_id,
        expires_at=pb.timestamp_pb(found.expires_at),
    )


def token_pb(row: asyncpg.Record) -> accounts_pb2.ApiToken:
    return accounts_pb2.ApiToken(
        id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        prefix=row["prefix"],
        created_at=pb.timestamp_pb(row["created_at"]),
        last_used_at=pb.timestamp_pb(row["last_used_at"]),
        revoked_at=pb.timestamp_pb(row["revoked_at"]),
    )
