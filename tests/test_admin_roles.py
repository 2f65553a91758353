"""The admin API with accounts' API tokens: each token carries its user and their role now, and
every route asks services/common/roles.py (the console's table too); the admin JWT keeps working."""

import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import grpc
import httpx
import pytest

from cabanas.v1 import accounts_pb2, accounts_pb2_grpc
from services.common.roles import Action, Role, allowed
from tests.stack import Stack, admin_token

PASSWORD = "tortuga-azul-del-lago"
ROLES = {
    Role.OWNER: accounts_pb2.ROLE_OWNER,
    Role.STAFF: accounts_pb2.ROLE_STAFF,
    Role.VIEWER: accounts_pb2.ROLE_VIEWER,
}


@pytest.fixture(scope="module")
def accounts(stack: Stack) -> Iterator[accounts_pb2_grpc.AccountsServiceStub]:
    with grpc.insecure_channel(stack.addr("accounts")) as channel:
        yield accounts_pb2_grpc.AccountsServiceStub(channel)


def _token(accounts: accounts_pb2_grpc.AccountsServiceStub, role: Role) -> tuple[int, str]:
    """A new user of `role` and an API token of theirs: (user id, bearer secret)."""
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    created = accounts.CreateUser(
        accounts_pb2.CreateUserRequest(email=email, name="Juana Pérez", role=ROLES[role], password=PASSWORD)
    )
    token = accounts.CreateApiToken(accounts_pb2.CreateApiTokenRequest(user_id=created.id, name="planilla"))
    return created.id, token.secret


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_the_table_owner_does_all_staff_runs_the_days_viewer_only_reads() -> None:
    assert all(allowed(Role.OWNER, action) for action in Action)
    assert {action for action in Action if allowed(Role.STAFF, action)} == {
        Action.SEE_PRIVATE,
        Action.RESERVATIONS,
        Action.BLOCKS,
        Action.INBOX,
    }
    assert not any(allowed(Role.VIEWER, action) for action in Action)


def _cabin_body() -> dict[str, object]:
    return {"name": f"Cabaña {uuid.uuid4().hex[:6]}", "capacity": 4, "nightly_price": 5_000_000}


def test_each_role_gets_what_the_table_gives(stack: Stack, accounts: accounts_pb2_grpc.AccountsServiceStub) -> None:
    api = f"{stack.gateway_url}/api/v1/admin"
    for role in Role:
        _, secret = _token(accounts, role)
        headers = _bearer(secret)
        reservations = httpx.get(f"{api}/reservations", headers=headers)
        users = httpx.get(f"{api}/users", headers=headers)
        cabin = httpx.post(f"{api}/accommodations", json=_cabin_body(), headers=headers)
        expected = {
            Role.OWNER: (200, 200, 201),
            Role.STAFF: (200, 403, 403),
            Role.VIEWER: (403, 403, 403),
        }[role]
        assert (reservations.status_code, users.status_code, cabin.status_code) == expected, (role, cabin.text)
        if cabin.status_code == 403:
            assert cabin.json()["error"]["message"] == f"The {role} role may not do this."


def test_a_viewer_token_cannot_cancel_nor_read_a_guest(
    stack: Stack, accounts: accounts_pb2_grpc.AccountsServiceStub
) -> None:
    owner = {"Authorization": f"Bearer {admin_token()}"}
    cabin = httpx.post(f"{stack.gateway_url}/api/v1/admin/accommodations", json=_cabin_body(), headers=owner).json()
    start = date.today() + timedelta(days=40)
    held = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations",
        json={
            "accommodation_id": cabin["id"],
            "check_in": start.isoformat(),
            "check_out": (start + timedelta(days=2)).isoformat(),
            "guests": 2,
            "guest_name": "Rocío Fernández",
            "guest_phone": "+5492944111222",
        },
    ).json()
    url = f"{stack.gateway_url}/api/v1/reservations/{held['code']}"
    _, viewer = _token(accounts, Role.VIEWER)
    assert "guest_phone" not in httpx.get(url, headers=_bearer(viewer)).json()
    assert httpx.post(f"{url}/cancel", headers=_bearer(viewer)).status_code == 403
    assert httpx.get(url, headers=owner).json()["status"] == "pre_reserved"
    _, staff = _token(accounts, Role.STAFF)
    assert httpx.get(url, headers=_bearer(staff)).json()["guest_phone"] == "+5492944111222"
    cancelled = httpx.post(f"{url}/cancel", headers=_bearer(staff))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_revoked_unknown_and_session_tokens_are_401(
    stack: Stack, accounts: accounts_pb2_grpc.AccountsServiceStub
) -> None:
    url = f"{stack.gateway_url}/api/v1/admin/reservations"
    user_id, secret = _token(accounts, Role.OWNER)
    assert httpx.get(url, headers=_bearer(secret)).status_code == 200
    listed = accounts.ListApiTokens(accounts_pb2.ListApiTokensRequest(user_id=user_id))
    accounts.RevokeApiToken(accounts_pb2.RevokeApiTokenRequest(user_id=user_id, id=listed.tokens[0].id))
    for bearer in (secret, "cab_" + "x" * 40, "cab_"):
        reply = httpx.get(url, headers=_bearer(bearer))
        assert reply.status_code == 401 and reply.headers["www-authenticate"] == "Bearer", bearer
    email = accounts.GetUser(accounts_pb2.GetUserRequest(id=user_id)).email
    session = accounts.Login(accounts_pb2.LoginRequest(email=email, password=PASSWORD))
    assert httpx.get(url, headers=_bearer(session.token)).status_code == 401  # a console session is not for the API


def test_a_role_change_counts_at_once(stack: Stack, accounts: accounts_pb2_grpc.AccountsServiceStub) -> None:
    url = f"{stack.gateway_url}/api/v1/admin/reservations"
    user_id, secret = _token(accounts, Role.STAFF)
    assert httpx.get(url, headers=_bearer(secret)).status_code == 200
    demoted = accounts_pb2.User(role=accounts_pb2.ROLE_VIEWER)
    accounts.UpdateUser(accounts_pb2.UpdateUserRequest(id=user_id, user=demoted, update_mask={"paths": ["role"]}))
    assert httpx.get(url, headers=_bearer(secret)).status_code == 403
    gone = accounts_pb2.User(active=False)
    accounts.UpdateUser(accounts_pb2.UpdateUserRequest(id=user_id, user=gone, update_mask={"paths": ["active"]}))
    assert httpx.get(url, headers=_bearer(secret)).status_code == 401


def test_a_token_runs_its_own_account_like_the_console_settings(
    stack: Stack, accounts: accounts_pb2_grpc.AccountsServiceStub
) -> None:
    me = f"{stack.gateway_url}/api/v1/admin/me"
    _, secret = _token(accounts, Role.OWNER)
    owner = _bearer(secret)
    changed = httpx.patch(me, json={"name": "Juana Dueña", "phone": "+5492944999888"}, headers=owner)
    assert changed.status_code == 200 and changed.json()["name"] == "Juana Dueña", changed.text
    prefs = {"whatsapp": ["new_booking", "guest_waiting"], "email": ["refund_failed"]}  # in the enum's order
    assert httpx.put(f"{me}/notifications", json=prefs, headers=owner).json() == prefs
    assert httpx.get(f"{me}/notifications", headers=owner).json() == prefs
    assert httpx.put(f"{me}/notifications", json={"whatsapp": ["todo"]}, headers=owner).status_code == 422

    created = httpx.post(f"{me}/tokens", json={"name": "planilla de gastos"}, headers=owner)
    assert created.status_code == 201 and created.json()["secret"].startswith("cab_")
    second = _bearer(created.json()["secret"])
    listed = httpx.get(f"{me}/tokens", headers=second).json()
    assert {t["name"] for t in listed} == {"planilla", "planilla de gastos"} and all(
        t["secret"] is None for t in listed
    )
    revoked = httpx.delete(f"{me}/tokens/{created.json()['id']}", headers=owner)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert httpx.get(me, headers=second).status_code == 401

    wrong = httpx.post(
        f"{me}/password", json={"current_password": "no-es-esta", "password": "ciervo-rojo-en-el-bosque"}, headers=owner
    )
    assert wrong.status_code == 401
    weak = httpx.post(f"{me}/password", json={"current_password": PASSWORD, "password": "cabanas2024"}, headers=owner)
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
    new = {"current_password": PASSWORD, "password": "ciervo-rojo-en-el-bosque"}
    assert httpx.post(f"{me}/password", json=new, headers=owner).status_code == 204
    email = httpx.get(me, headers=owner).json()["email"]
    assert accounts.Login(accounts_pb2.LoginRequest(email=email, password=new["password"])).token


def test_settings_are_the_owners_and_the_admin_jwt_is_nobody(
    stack: Stack, accounts: accounts_pb2_grpc.AccountsServiceStub
) -> None:
    me = f"{stack.gateway_url}/api/v1/admin/me"
    _, staff = _token(accounts, Role.STAFF)
    assert httpx.get(me, headers=_bearer(staff)).json()["role"] == "staff"
    assert httpx.patch(me, json={"name": "Otra"}, headers=_bearer(staff)).status_code == 200
    for method, path in (("GET", "/tokens"), ("POST", "/tokens"), ("GET", "/notifications")):
        reply = httpx.request(method, f"{me}{path}", json={"name": "x"}, headers=_bearer(staff))
        assert reply.status_code == 403, (method, path)
    jwt_reply = httpx.get(me, headers={"Authorization": f"Bearer {admin_token()}"})
    assert jwt_reply.status_code == 409 and "no user" in jwt_reply.json()["error"]["message"]
