"""Users through the gateway's admin API over HTTP (the accounts service behind it, for real)."""

import uuid

import grpc
import httpx
import pytest

from cabanas.v1 import accounts_pb2, accounts_pb2_grpc
from tests.stack import Stack, admin_token

AUTH = {"Authorization": f"Bearer {admin_token()}"}
PASSWORD = "tortuga-azul-del-lago"


def _users(stack: Stack) -> str:
    return f"{stack.gateway_url}/api/v1/admin/users"


def _body(**extra: object) -> dict[str, object]:
    email = f"equipo-{uuid.uuid4().hex[:10]}@example.com"
    fields = {"email": email, "password": PASSWORD, "role": "staff", "name": "Juana Pérez", "phone": "+5492944123456"}
    return fields | extra


def test_an_admin_creates_lists_and_changes_users(stack: Stack) -> None:
    body = _body(role="viewer")
    created = httpx.post(_users(stack), json=body, headers=AUTH)
    assert created.status_code == 201, created.text
    user = created.json()
    assert {k: user[k] for k in ("email", "role", "name", "phone", "active")} == {
        "email": body["email"],
        "role": "viewer",
        "name": "Juana Pérez",
        "phone": "+5492944123456",
        "active": True,
    }
    assert "password" not in created.text and PASSWORD not in created.text
    again = httpx.post(_users(stack), json=body | {"email": str(body["email"]).upper()}, headers=AUTH)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_exists"

    listed = httpx.get(_users(stack), headers=AUTH)
    assert listed.status_code == 200 and listed.json()["total"] >= 1
    changed = httpx.patch(f"{_users(stack)}/{user['id']}", json={"role": "staff", "active": False}, headers=AUTH)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["role"], changed.json()["active"], changed.json()["name"]) == ("staff", False, "Juana Pérez")
    # Deactivated: the password no longer opens a session.
    login = accounts_pb2.LoginRequest(email=str(body["email"]), password=PASSWORD)
    with grpc.insecure_channel(stack.addr("accounts")) as channel, pytest.raises(grpc.RpcError) as refused:
        accounts_pb2_grpc.AccountsServiceStub(channel).Login(login, timeout=10)
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_bad_users_are_refused_with_the_services_reasons(stack: Stack) -> None:
    weak = httpx.post(_users(stack), json=_body(password="cabanas2024"), headers=AUTH)
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
    assert "fácil de adivinar" in weak.json()["error"]["message"]
    for bad in ({"role": "admin"}, {"phone": "2944123456"}, {"email": "nadie"}, {"owner": True}):
        assert httpx.post(_users(stack), json=_body(**bad), headers=AUTH).status_code == 422, bad
    missing = httpx.patch(f"{_users(stack)}/999999999", json={"name": "Nadie"}, headers=AUTH)
    assert missing.status_code == 404


def test_users_routes_need_an_admin(stack: Stack) -> None:
    assert httpx.get(_users(stack)).status_code == 401
    assert httpx.post(_users(stack), json=_body()).status_code == 401
    guest = {"Authorization": f"Bearer {admin_token(role='guest')}"}
    assert httpx.patch(f"{_users(stack)}/1", json={"role": "owner"}, headers=guest).status_code == 403
