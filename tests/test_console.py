"""The owner's console (console/): how it writes values, what /hoy lists, and the real thing, a
`python -m console` over the test stack, through HTTP and through Debian's Chromium."""

import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import httpx
import pytest

from cabanas.v1 import accounts_pb2, accounts_pb2_grpc, booking_pb2, booking_pb2_grpc, common_pb2
from console.middleware import CSP
from console.present import first_name, pesos, spoken_date, whatsapp_link
from console.security import LOGIN_COOKIE, SESSION_COOKIE
from console.today import Stay, for_viewer, today_of
from services.booking.tests.helpers import hold, make_cabin, stay
from services.common.settings import Settings
from tests.console_support import (
    PASSWORD,
    UserMaker,
    csrf,
    http_client,
    local_today,
    login,
    phones,
    shot,
    sign_in,
    signed_in,
)
from tests.stack import Stack
from tests.test_payments import checkout

ZONE = ZoneInfo(Settings().console_time_zone)
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts" / "screenshots"


# --- How values are written ---------------------------------------------------------------


def test_money_is_written_in_pesos_with_thousands_separators() -> None:
    assert pesos(8_500_000) == "$85.000"
    assert pesos(123_456_789_00) == "$123.456.789"
    assert pesos(8_500_050) == "$85.000,50"
    assert pesos(0) == "$0"
    assert pesos(-150_000) == "-$1.500"


def test_dates_are_written_as_people_say_them() -> None:
    assert spoken_date(date(2025, 12, 5)) == "vie 5 de dic"
    assert spoken_date(date(2026, 1, 18)) == "dom 18 de ene"


def test_names_and_phones() -> None:
    assert first_name("Ana María Pérez") == "Ana"
    assert first_name("  ") == ""
    assert whatsapp_link("+54 9 2944 12-3456") == "https://wa.me/5492944123456"
    assert whatsapp_link("") == ""


def _stay(code: str, start: date, end: date, confirmed: bool = True, **extra: Any) -> Stay:
    values: dict[str, Any] = {
        "code": code,
        "guest": "Ana Pérez",
        "phone": "+5491155555555",
        "cabin": "Cabaña Lago",
        "check_in": start,
        "check_out": end,
        "nights": (end - start).days,
        "confirmed": confirmed,
        "total_minor": 10_000_000,
    }
    return Stay(**(values | extra))


def test_today_sorts_stays_into_arrivals_departures_staying_and_holds() -> None:
    day, now = date(2025, 12, 5), datetime(2025, 12, 5, 15, tzinfo=UTC)
    stays = [
        _stay("ARRIVES", day, day + timedelta(days=2)),
        _stay("LEAVES", day - timedelta(days=3), day),
        _stay("STAYS", day - timedelta(days=1), day + timedelta(days=1)),
        _stay("SOON", day + timedelta(days=9), day + timedelta(days=10), False, expires_at=now + timedelta(minutes=20)),
        _stay("RUN_OUT", day, day + timedelta(days=1), False, expires_at=now - timedelta(minutes=1)),
        _stay("LATER", day, day + timedelta(days=1), False, expires_at=now + timedelta(hours=30)),
    ]
    today = today_of(stays, day, now)
    assert [s.code for s in today.arrivals] == ["ARRIVES"]
    assert [s.code for s in today.departures] == ["LEAVES"]
    assert [s.code for s in today.staying] == ["STAYS"]
    assert [s.code for s in today.holds] == ["SOON"]


def test_paid_balance_and_confirmed_by_hand() -> None:
    day = date(2025, 12, 5)
    paid = _stay("A", day, day, paid_minor=3_000_000)
    assert (paid.balance_minor, paid.by_hand) == (7_000_000, False)
    assert _stay("B", day, day, paid_minor=None).by_hand
    assert not _stay("C", day, day, confirmed=False).by_hand


def test_a_viewer_gets_first_names_and_no_phone_or_money() -> None:
    seen = for_viewer(_stay("A", date(2025, 12, 5), date(2025, 12, 6), paid_minor=10))
    assert (seen.guest, seen.phone, seen.total_minor, seen.paid_minor) == ("Ana", "", None, None)


# --- The running console ------------------------------------------------------------------


@dataclass
class Today:
    """What the stack holds for today, for the /hoy tests."""

    paid: booking_pb2.Reservation  # arrives today, deposit paid through Mercado Pago's sandbox
    by_hand: booking_pb2.Reservation  # arrives today, confirmed by an admin without a payment
    held: booking_pb2.Reservation  # a hold waiting for its deposit


def _wait_confirmed(stack: Stack, code: str) -> None:
    deadline = time.monotonic() + 15
    while httpx.get(f"{stack.gateway_url}/api/v1/reservations/{code}").json()["status"] != "confirmed":
        assert time.monotonic() < deadline, f"{code} was not confirmed"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def today(stack: Stack, booking: booking_pb2_grpc.BookingServiceStub) -> Today:
    day = local_today()
    cabins = [make_cabin(booking) for _ in range(3)]
    held = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations",
        json={
            "accommodation_id": cabins[0].id,
            "check_in": day.isoformat(),
            "check_out": (day + timedelta(days=2)).isoformat(),
            "guests": 2,
            "guest_name": "Rocío Fernández",
            "guest_phone": "+5492944111222",
        },
    ).json()
    assert httpx.post(f"{checkout(held)}/pay").status_code == 200
    _wait_confirmed(stack, held["code"])
    by_hand = booking.PreReserve(
        booking_pb2.PreReserveRequest(
            accommodation_id=cabins[1].id,
            stay=stay(day, day + timedelta(days=1)),
            guests=2,
            guest=booking_pb2.Guest(name="Martín Gómez", phone="+5491133334444"),
            channel=common_pb2.CHANNEL_ADMIN,
        )
    ).reservation
    booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=by_hand.code, forced_by_admin=True))
    waiting = hold(booking, cabins[2].id, day + timedelta(days=3), day + timedelta(days=5)).reservation

    def read(code: str) -> booking_pb2.Reservation:
        return booking.GetReservation(booking_pb2.GetReservationRequest(code=code)).reservation

    return Today(paid=read(held["code"]), by_hand=read(by_hand.code), held=waiting)


def test_an_anonymous_visitor_is_sent_to_login(console: str) -> None:
    with http_client(console) as client:
        for path in ("/hoy", "/"):
            reply = client.get(path, follow_redirects=True)
            assert reply.url.path == "/login" and "Contraseña" in reply.text
        assert client.post("/logout", data={"csrf_token": "x"}).headers["location"] == "/login"


def test_pages_carry_the_security_headers_and_a_csp_they_satisfy(console: str) -> None:
    with http_client(console) as client:
        page = client.get("/login")
        assert page.headers["content-security-policy"] == CSP
        assert "script-src" not in CSP and "unsafe-inline" not in CSP
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
        assert "<script" not in page.text and "style=" not in page.text and "<style" not in page.text
        css = re.search(r'href="(/static/console\.css\?v=[0-9a-f]{12})"', page.text)
        assert css, "the stylesheet is linked with its version"
        sheet = client.get(css.group(1))
        assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/css")
        assert sheet.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_wrong_password_shows_the_form_again(console: str, user: UserMaker) -> None:
    email = user()
    with http_client(console) as client:
        reply = login(client, email, "not-the-password", **{"X-Forwarded-For": "198.51.100.1"})
        assert reply.status_code == 200
        assert "Email o contraseña incorrectos" in reply.text
        assert f'value="{email}"' in reply.text and "not-the-password" not in reply.text
        assert SESSION_COOKIE not in client.cookies


def test_login_without_its_form_token_is_403(console: str, user: UserMaker) -> None:
    email = user()
    with http_client(console) as client:
        client.get("/login")
        reply = client.post("/login", data={"email": email, "password": PASSWORD})
        assert reply.status_code == 403 and "El formulario venció" in reply.text
        wrong = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": "forged"})
        assert wrong.status_code == 403
        assert SESSION_COOKIE not in client.cookies


def test_repeated_failures_are_throttled_with_429(console: str, user: UserMaker) -> None:
    email = user()
    with http_client(console) as client:
        statuses = [
            login(client, email, "wrong-password", **{"X-Forwarded-For": "198.51.100.2"}).status_code for _ in range(12)
        ]
        assert statuses[0] == 200 and statuses[-1] == 429, statuses
        refused = login(client, email, PASSWORD, **{"X-Forwarded-For": "198.51.100.3"})
        assert refused.status_code == 429 and "Demasiados intentos fallidos" in refused.text
        assert int(refused.headers["retry-after"]) > 0


def test_login_sets_a_safe_cookie_rotates_it_and_logout_ends_it(
    console: str, user: UserMaker, accounts: accounts_pb2_grpc.AccountsServiceStub
) -> None:
    email = user()
    with signed_in(console, email) as client:
        first = client.cookies[SESSION_COOKIE]
        # The form opened in another tab before, posted while this session is live.
        client.cookies.delete(SESSION_COOKIE)
        form = client.get("/login")
        client.cookies.set(SESSION_COOKIE, first, domain="127.0.0.1")
        again = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf(form.text)})
        set_cookie = again.headers["set-cookie"].lower()
        assert "httponly" in set_cookie and "samesite=lax" in set_cookie and "path=/" in set_cookie
        second = client.cookies[SESSION_COOKIE]
        assert second != first and LOGIN_COOKIE not in client.cookies
        with pytest.raises(grpc.RpcError) as old:  # rotation: the session the browser had is over
            accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=first))
        assert old.value.code() == grpc.StatusCode.UNAUTHENTICATED
        page = client.get("/hoy")
        assert page.status_code == 200 and "Carla Dueña" in page.text
        assert client.post("/logout").status_code == 403  # no CSRF token
        assert client.post("/logout", data={"csrf_token": "0" * 64}).status_code == 403
        out = client.post("/logout", data={"csrf_token": csrf(page.text)})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert SESSION_COOKIE not in client.cookies
        with pytest.raises(grpc.RpcError):
            accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=second))
        client.cookies.set(SESSION_COOKIE, second, domain="127.0.0.1")  # a copy of the old cookie opens nothing
        assert client.get("/hoy").headers["location"] == "/login"


def test_a_revoked_session_is_sent_to_login(
    console: str, user: UserMaker, accounts: accounts_pb2_grpc.AccountsServiceStub
) -> None:
    with signed_in(console, user()) as client:
        accounts.Logout(accounts_pb2.LogoutRequest(token=client.cookies[SESSION_COOKIE]))
        reply = client.get("/hoy")
        assert reply.status_code == 303 and reply.headers["location"] == "/login"
        assert f"{SESSION_COOKIE}=" in reply.headers["set-cookie"]  # the dead cookie is cleared


def _section(html: str, heading_id: str) -> str:
    found = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert found, heading_id
    return found.group(1)


def test_the_owner_sees_today_with_phones_and_money(console: str, user: UserMaker, today: Today) -> None:
    with signed_in(console, user()) as client:
        html = client.get("/hoy").text
    arrivals, holds = _section(html, "llegan"), _section(html, "sin-sena")
    assert spoken_date(local_today()) in html
    paid, by_hand = today.paid, today.by_hand
    assert "Rocío Fernández" in arrivals and paid.accommodation_name in arrivals
    assert "https://wa.me/5492944111222" in arrivals and "2 noches" in arrivals
    balance = paid.total.amount_minor - paid.deposit.amount_minor
    assert f"Pagó {pesos(paid.deposit.amount_minor)}" in arrivals and f"Debe {pesos(balance)}" in arrivals
    assert "Martín Gómez" in arrivals and "Confirmada a mano" in arrivals
    assert pesos(by_hand.total.amount_minor) in arrivals and "1 noche" in arrivals
    assert "Ana Pérez" in holds and "Vence a las" in holds
    assert today.held.code not in arrivals


def test_a_viewer_sees_first_names_and_no_phones_or_money(console: str, user: UserMaker, today: Today) -> None:
    with signed_in(console, user(accounts_pb2.ROLE_VIEWER, "Lidia Limpieza")) as client:
        html = client.get("/hoy").text
    main = html.split("<main>", 1)[1]
    assert "Rocío" in main and "Martín" in main
    assert "Fernández" not in main and "Gómez" not in main
    assert "wa.me" not in main and "2944111222" not in main
    assert "$" not in main and "Confirmada a mano" not in main
    assert "Necesita tu atención" not in main  # guests waiting, payments, channels: not the cleaning team's


# --- In a browser ---------------------------------------------------------------------------


@pytest.mark.browser
async def test_login_today_logout_in_a_phone_browser(console: str, user: UserMaker, today: Today) -> None:
    """Chromium at 390x844: each page renders without a script or CSP error, nothing is wider
    than the phone; a screenshot of each goes to .artifacts/screenshots/."""
    async with phones(console) as browser:
        page = await browser.page()
        await page.goto(f"{console}/hoy")
        assert page.url == f"{console}/login"
        await shot(page, "login")
        email = user()
        await sign_in(page, email, "not-the-password")
        await page.get_by_role("alert").wait_for()
        await shot(page, "login-error")
        await sign_in(page, email)
        await page.wait_for_url(f"{console}/hoy")
        await page.get_by_role("heading", name="Llegan").wait_for()
        assert await page.get_by_role("link", name="Escribirle a Rocío Fernández por WhatsApp").count() == 1
        await shot(page, "hoy")
        await page.get_by_role("button", name="Salir").click()
        await page.wait_for_url(f"{console}/login")
        await page.goto(f"{console}/hoy")
        assert page.url == f"{console}/login"

        cleaner = await browser.signed_in(user(accounts_pb2.ROLE_VIEWER, "Lidia Limpieza"))
        assert await cleaner.get_by_role("link", name=re.compile("WhatsApp")).count() == 0
        await shot(cleaner, "hoy-viewer")
