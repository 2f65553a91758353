"""The accounts service over real gRPC, as its own process on the session's Postgres."""

from __future__ import annotations  # the *AsyncStub types exist only in the generated .pyi

import asyncio
import time
from typing import TYPE_CHECKING

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from cabanas.v1 import accounts_pb2
from services.accounts.tests.conftest import PASSWORD, new_email
from services.common.grpc_clients import error_info

if TYPE_CHECKING:
    from cabanas.v1.accounts_pb2_grpc import AccountsServiceAsyncStub as Stub


async def _create(
    accounts: Stub, role: accounts_pb2.Role = accounts_pb2.ROLE_STAFF, **fields: str
) -> accounts_pb2.User:
    values = {"email": new_email(), "name": "Juana Pérez", "phone": "+5492944123456", "password": PASSWORD} | fields
    return await accounts.CreateUser(accounts_pb2.CreateUserRequest(role=role, **values))


def reason(error: grpc.RpcError) -> str:
    found = error_info(error)
    return str(found.reason) if found else ""


async def _failure(call: object) -> tuple[grpc.StatusCode, str, dict[str, str]]:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call  # type: ignore[misc]
    found = error_info(info.value)
    return info.value.code(), reason(info.value), dict(found.metadata) if found else {}


async def _login(accounts: Stub, email: str, password: str = PASSWORD, client: str = "") -> accounts_pb2.Session:
    return await accounts.Login(accounts_pb2.LoginRequest(email=email, password=password, client=client))


async def test_a_user_is_created_read_listed_and_changed_by_mask(accounts: Stub) -> None:
    user = await _create(accounts, email=new_email().upper(), phone="+54 9 294 412-3456")
    assert user.email == user.email.lower() and user.phone == "+5492944123456"
    assert (user.role, user.active, user.HasField("last_login_at")) == (accounts_pb2.ROLE_STAFF, True, False)
    assert await accounts.GetUser(accounts_pb2.GetUserRequest(id=user.id)) == user
    listed = await accounts.ListUsers(accounts_pb2.ListUsersRequest(page={"page_size": 100}))
    assert listed.page.total_size >= 1
    changed = await accounts.UpdateUser(
        accounts_pb2.UpdateUserRequest(
            id=user.id,
            user=accounts_pb2.User(name="Juana P.", role=accounts_pb2.ROLE_VIEWER, phone="+5491155555555"),
            update_mask=FieldMask(paths=["name", "role"]),
        )
    )
    assert (changed.name, changed.role, changed.phone) == ("Juana P.", accounts_pb2.ROLE_VIEWER, user.phone)
    code, why, _ = await _failure(
        accounts.UpdateUser(accounts_pb2.UpdateUserRequest(id=user.id, update_mask=FieldMask(paths=["email"])))
    )
    assert (code, why) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELD")
    code, why, _ = await _failure(accounts.GetUser(accounts_pb2.GetUserRequest(id=10**12)))
    assert (code, why) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")


async def test_notification_preferences_start_from_the_role_and_change_by_mask(accounts: Stub) -> None:
    owner, viewer = (
        await _create(accounts, role=accounts_pb2.ROLE_OWNER),
        await _create(accounts, accounts_pb2.ROLE_VIEWER),
    )
    every = [v.number for v in accounts_pb2.Alert.DESCRIPTOR.values if v.number]
    assert (list(owner.notifications.whatsapp), list(owner.notifications.email)) == (every, [])
    assert not viewer.notifications.whatsapp and not viewer.notifications.email
    chosen = accounts_pb2.NotificationPreferences(
        whatsapp=[accounts_pb2.ALERT_GUEST_WAITING, accounts_pb2.ALERT_NEW_BOOKING],
        email=[accounts_pb2.ALERT_CHARGEBACK, accounts_pb2.ALERT_CHARGEBACK],
    )
    changed = await accounts.UpdateUser(
        accounts_pb2.UpdateUserRequest(
            id=owner.id,
            user=accounts_pb2.User(notifications=chosen, name="No cambia"),
            update_mask=FieldMask(paths=["notifications"]),
        )
    )
    assert list(changed.notifications.whatsapp) == [accounts_pb2.ALERT_NEW_BOOKING, accounts_pb2.ALERT_GUEST_WAITING]
    assert list(changed.notifications.email) == [accounts_pb2.ALERT_CHARGEBACK] and changed.name == owner.name
    assert (await accounts.GetUser(accounts_pb2.GetUserRequest(id=owner.id))).notifications == changed.notifications
    silent = accounts_pb2.UpdateUserRequest(id=owner.id, update_mask=FieldMask(paths=["notifications"]))
    assert not (await accounts.UpdateUser(silent)).notifications.whatsapp  # chosen: nothing, not the defaults
    unknown = accounts_pb2.UpdateUserRequest(
        id=owner.id,
        user=accounts_pb2.User(notifications=accounts_pb2.NotificationPreferences(email=[99])),  # type: ignore[list-item]
        update_mask=FieldMask(paths=["notifications"]),
    )
    assert (await _failure(accounts.UpdateUser(unknown)))[:2] == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ALERT")


async def test_an_email_is_taken_whatever_its_case_and_a_race_has_one_winner(accounts: Stub) -> None:
    email = new_email()
    first, second = await asyncio.gather(
        _create(accounts, email=email), _create(accounts, email=email.upper()), return_exceptions=True
    )
    outcomes = sorted([first, second], key=lambda o: isinstance(o, Exception))
    assert isinstance(outcomes[0], accounts_pb2.User)
    assert isinstance(outcomes[1], grpc.aio.AioRpcError)
    assert outcomes[1].code() == grpc.StatusCode.ALREADY_EXISTS and reason(outcomes[1]) == "ALREADY_EXISTS"
    assert outcomes[1].details() == "Ya hay un usuario con ese e-mail."


async def test_weak_passwords_and_bad_fields_are_refused(accounts: Stub) -> None:
    email = new_email()
    code, why, _ = await _failure(_create(accounts, email=email, password=email.split("@")[0] + "123"))
    assert (code, why) == (grpc.StatusCode.INVALID_ARGUMENT, "WEAK_PASSWORD")
    assert (await _failure(_create(accounts, phone="2944123456")))[1] == "INVALID_PHONE"
    assert (await _failure(_create(accounts, email="nadie")))[1] == "INVALID_EMAIL"
    assert (await _failure(_create(accounts, role=accounts_pb2.ROLE_UNSPECIFIED)))[1] == "INVALID_ROLE"


async def test_a_session_authenticates_until_logout(accounts: Stub) -> None:
    user = await _create(accounts, role=accounts_pb2.ROLE_STAFF)
    session = await _login(accounts, user.email.upper(), client="203.0.113.7")
    assert session.token.startswith("ses_") and session.user.HasField("last_login_at")
    hours = (session.expires_at.seconds - time.time()) / 3600
    assert 11.9 < hours <= 12
    principal = await accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=session.token))
    assert (principal.user_id, principal.email, principal.role) == (user.id, user.email, accounts_pb2.ROLE_STAFF)
    assert principal.kind == accounts_pb2.CREDENTIAL_KIND_SESSION
    # A role change applies to the open session at once.
    await accounts.UpdateUser(
        accounts_pb2.UpdateUserRequest(id=user.id, user=accounts_pb2.User(role=accounts_pb2.ROLE_VIEWER))
    )
    again = await accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=session.token))
    assert again.role == accounts_pb2.ROLE_VIEWER
    assert (await accounts.Logout(accounts_pb2.LogoutRequest(token=session.token))).revoked
    assert not (await accounts.Logout(accounts_pb2.LogoutRequest(token=session.token))).revoked
    for token in (session.token, "ses_made-up", "", "Bearer x"):
        code, why, _ = await _failure(accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=token)))
        assert (code, why) == (grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED"), token


async def test_a_wrong_password_and_an_unknown_email_look_the_same(accounts: Stub) -> None:
    user = await _create(accounts)
    wrong = await _failure(_login(accounts, user.email, "otra-clave-larga"))
    unknown = await _failure(_login(accounts, new_email()))
    assert wrong == unknown == (grpc.StatusCode.UNAUTHENTICATED, "LOGIN_FAILED", {})


async def test_an_inactive_user_cannot_log_in_and_their_credentials_stop(accounts: Stub) -> None:
    user = await _create(accounts)
    session = await _login(accounts, user.email)
    token = await accounts.CreateApiToken(accounts_pb2.CreateApiTokenRequest(user_id=user.id, name="Planilla"))
    off = accounts_pb2.UpdateUserRequest(
        id=user.id, user=accounts_pb2.User(active=False), update_mask=FieldMask(paths=["active"])
    )
    assert not (await accounts.UpdateUser(off)).active
    for secret in (session.token, token.secret):
        code, _, _ = await _failure(accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=secret)))
        assert code == grpc.StatusCode.UNAUTHENTICATED
    assert (await _failure(_login(accounts, user.email)))[1] == "LOGIN_FAILED"
    on = accounts_pb2.UpdateUserRequest(
        id=user.id, user=accounts_pb2.User(active=True), update_mask=FieldMask(paths=["active"])
    )
    await accounts.UpdateUser(on)
    # Back: the token works again, the old session stays ended.
    assert (await accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=token.secret))).user_id == user.id
    code, _, _ = await _failure(accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=session.token)))
    assert code == grpc.StatusCode.UNAUTHENTICATED


async def test_api_tokens_are_shown_once_listed_without_secret_and_revoked(accounts: Stub) -> None:
    user = await _create(accounts, role=accounts_pb2.ROLE_STAFF)
    created = await accounts.CreateApiToken(accounts_pb2.CreateApiTokenRequest(user_id=user.id, name=" Planilla  "))
    assert created.secret.startswith("cab_") and created.token.prefix == created.secret[:8]
    assert created.token.name == "Planilla"
    principal = await accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=created.secret))
    assert (principal.kind, principal.role, principal.credential_id) == (
        accounts_pb2.CREDENTIAL_KIND_API_TOKEN,
        accounts_pb2.ROLE_STAFF,
        created.token.id,
    )
    assert not principal.HasField("expires_at")
    listed = await accounts.ListApiTokens(accounts_pb2.ListApiTokensRequest(user_id=user.id))
    assert [t.id for t in listed.tokens] == [created.token.id] and listed.tokens[0].HasField("last_used_at")
    assert created.secret not in str(listed)
    other = await _create(accounts)  # someone else cannot revoke it
    code, _, _ = await _failure(
        accounts.RevokeApiToken(accounts_pb2.RevokeApiTokenRequest(user_id=other.id, id=created.token.id))
    )
    assert code == grpc.StatusCode.NOT_FOUND
    revoked = await accounts.RevokeApiToken(accounts_pb2.RevokeApiTokenRequest(user_id=user.id, id=created.token.id))
    assert revoked.HasField("revoked_at")
    code, _, _ = await _failure(accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=created.secret)))
    assert code == grpc.StatusCode.UNAUTHENTICATED


async def test_a_new_password_ends_every_session(accounts: Stub) -> None:
    user = await _create(accounts)
    session = await _login(accounts, user.email)
    request = accounts_pb2.SetPasswordRequest(
        user_id=user.id, password="otra-clave-bien-larga", current_password="no-es-la-actual"
    )
    assert (await _failure(accounts.SetPassword(request)))[1] == "LOGIN_FAILED"
    request.current_password = PASSWORD
    await accounts.SetPassword(request)
    code, _, _ = await _failure(accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=session.token)))
    assert code == grpc.StatusCode.UNAUTHENTICATED
    assert (await _failure(_login(accounts, user.email)))[1] == "LOGIN_FAILED"
    assert (await _login(accounts, user.email, "otra-clave-bien-larga")).user.id == user.id
    weak = accounts_pb2.SetPasswordRequest(user_id=user.id, password="1234567890")
    assert (await _failure(accounts.SetPassword(weak)))[1] == "WEAK_PASSWORD"


async def test_the_last_active_owner_cannot_be_demoted(accounts: Stub) -> None:
    """Two owners demoting each other at once: one of them stays an owner."""
    owners = [u for u in await _all_users(accounts) if u.role == accounts_pb2.ROLE_OWNER and u.active]
    demote = accounts_pb2.User(role=accounts_pb2.ROLE_STAFF)
    for owner in owners:  # left from other tests: one by one, until the last refuses
        try:
            await accounts.UpdateUser(accounts_pb2.UpdateUserRequest(id=owner.id, user=demote))
        except grpc.aio.AioRpcError as exc:
            assert reason(exc) == "LAST_OWNER"
    a, b = await _create(accounts, role=accounts_pb2.ROLE_OWNER), await _create(accounts, role=accounts_pb2.ROLE_OWNER)
    for owner in owners:
        await accounts.UpdateUser(accounts_pb2.UpdateUserRequest(id=owner.id, user=demote))
    outcomes = await asyncio.gather(
        *(accounts.UpdateUser(accounts_pb2.UpdateUserRequest(id=u.id, user=demote)) for u in (a, b)),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert len(refused) == 1 and refused[0].code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason(refused[0]) == "LAST_OWNER"
    assert [u.role for u in await _all_users(accounts) if u.active].count(accounts_pb2.ROLE_OWNER) == 1


async def _all_users(accounts: Stub) -> list[accounts_pb2.User]:
    found: list[accounts_pb2.User] = []
    token = ""
    while True:
        page = await accounts.ListUsers(accounts_pb2.ListUsersRequest(page={"page_size": 100, "page_token": token}))
        found += page.users
        if not (token := page.page.next_page_token):
            return found


async def test_logins_are_throttled_with_a_retry_after_that_expires(accounts: Stub) -> None:
    """The process under test allows 3 failures per e-mail over 4 s (conftest.LIMITS)."""
    user = await _create(accounts)
    for _ in range(3):
        assert (await _failure(_login(accounts, user.email, "otra-clave-larga")))[1] == "LOGIN_FAILED"
    code, why, details = await _failure(_login(accounts, user.email))
    assert (code, why, details["scope"]) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "LOGIN_THROTTLED", "email")
    await asyncio.sleep(int(details["retry_after_seconds"]) + 0.2)
    assert (await _login(accounts, user.email)).user.id == user.id


async def test_guessing_the_current_password_is_throttled_like_a_login(accounts: Stub) -> None:
    """A stolen session must not try passwords faster than the login form allows (3 per 4 s here)."""
    user = await _create(accounts)
    guess = accounts_pb2.SetPasswordRequest(user_id=user.id, password="otra-clave-bien-larga", current_password="no")
    for _ in range(3):
        assert (await _failure(accounts.SetPassword(guess)))[1] == "LOGIN_FAILED"
    guess.current_password = PASSWORD  # even the right one waits: the guesser cannot tell
    code, why, details = await _failure(accounts.SetPassword(guess))
    assert (code, why, details["scope"]) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "LOGIN_THROTTLED", "email")
    await asyncio.sleep(int(details["retry_after_seconds"]) + 0.2)
    await accounts.SetPassword(guess)
    assert (await _login(accounts, user.email, "otra-clave-bien-larga")).user.id == user.id
