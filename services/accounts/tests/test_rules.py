"""Users' rules without a database: what a field may hold, the last owner, credential secrets."""

import pytest

from services.accounts import alerts, secrets_, users
from services.accounts.throttle import throttled
from services.common.errors import DomainError


def _reason(check: object, *args: object) -> str:
    with pytest.raises(DomainError) as info:
        check(*args)  # type: ignore[operator]
    return info.value.reason


def test_emails_are_kept_lower_case_and_checked() -> None:
    assert users.email("  Ana.Perez@Example.COM ") == "ana.perez@example.com"
    assert users.email("owner@localhost") == "owner@localhost"
    for bad in ("ana", "ana@", "@example.com", "ana perez@example.com", "a@b@c"):
        assert _reason(users.email, bad) == "INVALID_EMAIL", bad


def test_phones_are_e164_with_what_people_type_dropped() -> None:
    assert users.phone("+54 9 294 412-3456") == "+5492944123456"
    assert users.phone("") == ""
    for bad in ("2944123456", "+0123456789", "+54 9 294 abc"):
        assert _reason(users.phone, bad) == "INVALID_PHONE", bad


def test_roles_and_editable_fields() -> None:
    assert [users.role(r) for r in ("owner", "staff", "viewer")] == ["owner", "staff", "viewer"]
    assert _reason(users.role, "admin") == "INVALID_ROLE"
    assert users.changes({"name": "  Ana   Pérez ", "active": 0}) == {"name": "Ana Pérez", "active": False}
    assert _reason(users.changes, {"email": "otra@example.com"}) == "INVALID_FIELD"
    assert _reason(users.changes, {"name": "   "}) == "INVALID_NAME"


def _user(id: int, role: str, active: bool = True) -> dict[str, object]:
    return {"id": id, "role": role, "active": active}


def test_the_last_active_owner_stays_one() -> None:
    last = _user(1, "owner")
    assert users.leaves_no_owner(last, {"role": "staff"}, [1])  # type: ignore[arg-type]
    assert users.leaves_no_owner(last, {"active": False}, [1])  # type: ignore[arg-type]
    assert not users.leaves_no_owner(last, {"name": "Ana"}, [1])  # type: ignore[arg-type]
    assert not users.leaves_no_owner(last, {"role": "staff"}, [1, 2])  # type: ignore[arg-type]
    assert not users.leaves_no_owner(_user(3, "staff"), {"active": False}, [1])  # type: ignore[arg-type]


def test_secrets_say_their_kind_and_are_stored_as_digests() -> None:
    session, token = secrets_.new_secret(secrets_.Kind.SESSION), secrets_.new_secret(secrets_.Kind.API_TOKEN)
    assert token.startswith("cab_") and session.startswith("ses_") and len(token) > 40
    assert secrets_.kind_of(token) is secrets_.Kind.API_TOKEN
    assert secrets_.kind_of(session) is secrets_.Kind.SESSION
    assert secrets_.kind_of("eyJhbGciOi...") is None
    assert secrets_.digest(token) == secrets_.digest(token) != secrets_.digest(session)
    assert token not in repr(secrets_.digest(token)) and len(secrets_.digest(token)) == 32
    assert secrets_.new_secret(secrets_.Kind.API_TOKEN) != token


def test_a_throttled_login_says_when_to_retry() -> None:
    error = throttled("client", 61.2)
    assert (error.reason, error.details) == ("LOGIN_THROTTLED", {"retry_after_seconds": "62", "scope": "client"})
    assert error.message == "Demasiados intentos fallidos. Probá de nuevo en 2 minutos."
    assert throttled("email", 0.1).details["retry_after_seconds"] == "1"


def test_alert_preferences_are_checked_and_ordered() -> None:
    assert alerts.checked({"email": ["chargeback", "new_booking", "chargeback"]}) == {
        "whatsapp": [],
        "email": ["new_booking", "chargeback"],
    }
    assert _reason(alerts.checked, {"whatsapp": ["fiesta"]}) == "INVALID_ALERT"
    assert _reason(alerts.checked, {"sms": []}) == "INVALID_ALERT"
    assert alerts.of({"role": "owner", "notifications": None})["whatsapp"] == list(alerts.ALERTS)  # type: ignore[arg-type]
    assert alerts.of({"role": "owner", "notifications": {"email": ["chargeback"]}}) == {  # type: ignore[arg-type]
        "whatsapp": [],
        "email": ["chargeback"],
    }
