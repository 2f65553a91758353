"""The console's administration pages: /cabanas (prices in pesos, seasons, the bot's answers),
/canales (iCal feeds and export URLs), /equipo (users and roles), /ajustes (profile, password,
alerts, API tokens). The form conversions alone, then the real console over the test stack."""

import re
from datetime import date, timedelta
from typing import Any

import grpc
import httpx
import pytest

from cabanas.v1 import accounts_pb2, accounts_pb2_grpc, booking_pb2, booking_pb2_grpc, common_pb2
from console import cabins, channels
from console.present import parse_pesos
from console.security import SESSION_COOKIE
from services.booking.tests.helpers import make_cabin
from services.common.pb import range_pb
from tests.console_support import PASSWORD, UserMaker, csrf, http_client, login, phones, shot, signed_in
from tests.stack import Stack

# --- Pesos as people type them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "centavos"),
    [
        ("85.000", 8_500_000),
        ("85000", 8_500_000),
        ("$85.000,50", 8_500_050),
        ("$ 85.000", 8_500_000),
        (" 85.000,5 ", 8_500_050),
        ("1.234.567", 123_456_700),
        ("0,50", 50),
        ("12", 1_200),
        ("85\u00a0000", 8_500_000),  # a non-breaking space, as some phones paste it
    ],
)
def test_pesos_are_read_as_people_type_them(typed: str, centavos: int) -> None:
    assert parse_pesos(typed) == centavos


@pytest.mark.parametrize("typed", ["", "abc", "-5", "85,000", "85.00", "85.0000", "$", "1.2345", "85,123", "8 5.000x"])
def test_an_amount_that_is_not_clear_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_pesos(typed)


# --- The cabin form -------------------------------------------------------------------------


def _cabin() -> booking_pb2.Accommodation:
    return booking_pb2.Accommodation(
        id=7,
        name="Cabaña del Lago",
        description="Frente al lago.",
        capacity=4,
        base_nightly_price=common_pb2.Money(amount_minor=8_500_000, currency="ARS"),
        weekend_multiplier_percent=120,
        seasons=[
            booking_pb2.SeasonalRate(
                name="Temporada alta",
                range=range_pb(date(2026, 1, 2), date(2026, 2, 28)),
                nightly_price=common_pb2.Money(amount_minor=12_000_050, currency="ARS"),
                min_nights=3,
            ),
            booking_pb2.SeasonalRate(
                name="Semana Santa", range=range_pb(date(2026, 3, 29), date(2026, 4, 6)), multiplier_percent=150
            ),
        ],
        min_nights=2,
        max_nights=20,
        deposit_percent=30,
        check_in_time="14:00",
        check_out_time="10:00",
        amenities=["wifi", "parrilla"],
        photos=["https://example.com/a.jpg", "https://example.com/b.jpg"],
        location=booking_pb2.Location(
            address="Av. Siempreviva 742", city="Bariloche", province="Río Negro", latitude=-41.1, longitude=-71.3
        ),
        guest_info=booking_pb2.GuestInfo(pets="Sí, perros chicos.", wifi="Sí, 50 megas."),
        active=True,
    )


def test_the_form_shows_a_cabin_in_pesos_and_reads_it_back_unchanged() -> None:
    cabin = _cabin()
    form = cabins.values(cabin)
    assert form["base_price"] == "$85.000" and form["season-0-price"] == "$120.000,50"
    assert form["season-1-price"] == "150 %" and form["amenities"] == "wifi, parrilla"
    assert form["info-pets"] == "Sí, perros chicos." and form["info-house_rules"] == ""
    assert cabins.season_rows(form) == 2 + cabins.EMPTY_SEASONS
    back = cabins.accommodation(form, cabin)
    for path in cabins.PATHS:
        assert getattr(back, path) == getattr(cabin, path), path
    assert back.location.latitude == -41.1  # what the form does not show stays


def test_the_form_reads_what_an_owner_types() -> None:
    form = cabins.values(_cabin()) | {
        "base_price": "$ 90.000,50",
        "weekend_percent": "110 %",
        "amenities": "wifi,\npileta , ,parrilla",
        "photos": "https://example.com/c.jpg\n\n",
        "season-0-name": "",
        "season-0-start": "",
        "season-0-end": "",
        "season-0-price": "",
        "season-0-min_nights": "",  # a row emptied: that season goes
        "season-5-name": "Invierno",
        "season-5-start": "2026-07-10",
        "season-5-end": "2026-07-25",
        "season-5-price": "95.000",
        "info-grill": "  A leña.  ",
        "active": "",
    }
    cabin = cabins.accommodation(form, _cabin())
    assert cabin.base_nightly_price.amount_minor == 9_000_050 and cabin.weekend_multiplier_percent == 110
    assert list(cabin.amenities) == ["wifi", "pileta", "parrilla"] and list(cabin.photos) == [
        "https://example.com/c.jpg"
    ]
    assert [s.name for s in cabin.seasons] == ["Semana Santa", "Invierno"]
    assert cabin.seasons[1].nightly_price.amount_minor == 9_500_000 and cabin.seasons[1].min_nights == 0
    assert cabin.guest_info.grill == "A leña." and not cabin.active


def test_every_wrong_field_is_named_at_once() -> None:
    form = cabins.values(_cabin()) | {
        "name": " ",
        "capacity": "cuatro",
        "base_price": "85,000",
        "deposit_percent": "130",
        "min_nights": "5",
        "max_nights": "3",
        "check_in_time": "2 de la tarde",
        "photos": "foto.jpg",
        "maps_url": "maps",
        "season-1-end": "2026-03-01",  # before its start
        "season-2-name": "Sin fechas",
        "info-pets": "x" * 1001,
    }
    with pytest.raises(cabins.FormErrors) as wrong:
        cabins.accommodation(form, _cabin())
    assert wrong.value.fields == {
        "name",
        "capacity",
        "base_price",
        "deposit_percent",
        "max_nights",
        "check_in_time",
        "photos",
        "maps_url",
        "season-1",
        "season-2",
        "info-pets",
    }


# --- What /canales makes of calendar's answers ---------------------------------------------------


def test_sync_errors_are_told_in_spanish() -> None:
    assert channels.sync_error("") == ""
    assert channels.sync_error("HTTP 404") == "El canal dice que ese calendario no existe: revisá la URL."
    assert channels.sync_error("address not allowed").startswith("Esa dirección no está permitida")
    assert channels.sync_error("not an iCalendar (no BEGIN:VCALENDAR)") == "Eso no es un calendario iCal."
    assert channels.sync_error("took over 20 s").startswith("El canal tardó demasiado")
    assert channels.sync_error("something new") == channels.UNKNOWN_ERROR


def test_urls_are_shortened_and_each_channel_gets_its_export() -> None:
    assert channels.short_url("https://www.airbnb.com/calendar/ical/123.ics?s=abc") == "airbnb.com/…/123.ics"
    assert channels.short_url("https://example.com/a.ics") == "example.com/a.ics"
    assert len(channels.short_url("https://example.com/" + "x" * 200)) == channels.SHORT_URL
    exports = channels.exports("https://c/1.ics?token=t", {"booking": "https://c/1.ics?token=t&exclude_source=booking"})
    assert [(e.source, e.url.rsplit("=", 1)[-1]) for e in exports] == [
        ("airbnb", "t"),
        ("booking", "booking"),
        ("", "t"),
    ]


# --- The running console ------------------------------------------------------------------------


def _form(html: str) -> dict[str, str]:
    """The inputs and textareas of the page's main form, as a browser would post them."""
    form = re.search(r'<form class="form" method="post"(.*?)</form>', html, re.S)
    assert form, "no form"
    body = form.group(1)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and ('type="checkbox"' not in tag or " checked" in tag):
            fields[name.group(1)] = value.group(1)
    fields |= {
        m.group(1): m.group(2) for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S)
    }
    return {k: v.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&") for k, v in fields.items()}


def _quote(stack: Stack, cabin_id: int, start: date, nights: int) -> int:
    reply = httpx.get(
        f"{stack.gateway_url}/api/v1/accommodations/{cabin_id}/availability",
        params={"check_in": start.isoformat(), "check_out": (start + timedelta(days=nights)).isoformat(), "guests": 2},
    )
    assert reply.status_code == 200 and reply.json()["available"], reply.text
    total: int = reply.json()["quote"]["total"]
    return total


def _monday(weeks_ahead: int = 3) -> date:
    today = date.today()
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


def test_the_owner_edits_a_price_in_pesos_and_the_public_quote_changes(
    console: str, stack: Stack, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    monday = _monday()
    assert _quote(stack, cabin.id, monday, 2) == 2 * 50_000_00
    with signed_in(console, user()) as client:
        listed = client.get("/cabanas")
        assert listed.status_code == 200 and cabin.name in listed.text and "$50.000 la noche" in listed.text
        page = client.get(f"/cabanas/{cabin.id}")
        assert page.status_code == 200
        for name in booking_pb2.GuestInfo.DESCRIPTOR.fields_by_name:
            assert f'<label for="f-info-{name}">' in page.text, name  # every answer has its labelled box
        form = _form(page.text) | {
            "base_price": "$85.000,50",
            "info-pets": "Sí, con correa.",
            "season-0-name": "Temporada alta",
            "season-0-start": (monday + timedelta(days=14)).isoformat(),
            "season-0-end": (monday + timedelta(days=21)).isoformat(),
            "season-0-price": "150 %",
            "season-0-min_nights": "2",
        }
        saved = client.post(f"/cabanas/{cabin.id}", data=form)
        assert saved.status_code == 303 and saved.headers["location"] == f"/cabanas/{cabin.id}?listo=guardada"
        again = client.get(saved.headers["location"])
        assert "Listo, guardé los cambios." in again.text and 'value="$85.000,50"' in again.text
    assert _quote(stack, cabin.id, monday, 2) == 2 * 8_500_050
    assert _quote(stack, cabin.id, monday + timedelta(days=14), 2) == 2 * 12_750_075
    stored = booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id))
    assert stored.guest_info.pets == "Sí, con correa." and stored.seasons[0].min_nights == 2
    assert stored.capacity == cabin.capacity and stored.active


def test_a_wrong_field_is_shown_beside_it_and_nothing_is_saved(
    console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    with signed_in(console, user()) as client:
        form = _form(client.get(f"/cabanas/{cabin.id}").text)
        refused = client.post(f"/cabanas/{cabin.id}", data=form | {"base_price": "85,000", "capacity": "60"})
    assert refused.status_code == 422
    assert 'id="f-base_price-error">Escribí el precio en pesos' in refused.text
    assert 'id="f-capacity-error">Poné cuántas personas entran' in refused.text
    assert 'value="85,000"' in refused.text  # what they typed stays, to fix it
    assert booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id)) == cabin


def test_the_owner_creates_a_cabin(console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub) -> None:
    with signed_in(console, user()) as client:
        form = _form(client.get("/cabanas/nueva").text)
        name = f"Cabaña nueva {id(form)}"
        created = client.post("/cabanas/nueva", data=form | {"name": name, "capacity": "6", "base_price": "70.000"})
        assert created.status_code == 303, created.text
        cabin_id = int(created.headers["location"].split("/")[2].split("?")[0])
        taken = client.post("/cabanas/nueva", data=form | {"name": name, "capacity": "6", "base_price": "70.000"})
        assert taken.status_code == 409 and "Ya hay una cabaña con ese nombre" in taken.text
    stored = booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin_id))
    assert (stored.name, stored.capacity, stored.base_nightly_price.amount_minor) == (name, 6, 7_000_000)
    assert (stored.min_nights, stored.deposit_percent, stored.active) == (1, 30, True)


def test_feeds_are_added_synced_with_their_error_in_spanish_and_removed(
    console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    with signed_in(console, user()) as client:
        page = client.get("/canales")
        section = page.text.split(f'id="cabana-{cabin.id}"', 1)[1].split("</section>", 1)[0]
        assert "todavía no lee el calendario" in section
        exports = re.findall(r'<input class="copy" id="([^"]+)" type="text" readonly value="([^"]+)"', section)
        assert [name for name, _ in exports] == [f"exporta-{cabin.id}-{s}" for s in ("airbnb", "booking", "otros")]
        assert all(f"/api/v1/ical/export/{cabin.id}.ics?token=" in url for _, url in exports)
        token = csrf(page.text)
        bad = client.post(
            "/canales/calendarios", data={"csrf_token": token, "cabana": cabin.id, "url": "airbnb", "canal": "airbnb"}
        )
        assert bad.status_code == 422 and "Pegá la URL del calendario" in bad.text
        # Nothing listens there: the sync fails, and the owner reads why.
        feed = {"csrf_token": token, "cabana": cabin.id, "url": "http://127.0.0.1:9/cal.ics", "canal": "airbnb"}
        added = client.post("/canales/calendarios", data=feed)
        assert added.status_code == 303 and added.headers["location"].startswith("/canales?listo=agregado")
        assert client.post("/canales/calendarios", data=feed).status_code == 409
        page = client.get("/canales")
        feed_id = int(re.findall(r'id="calendario-(\d+)"', page.text.split(f'id="cabana-{cabin.id}"', 1)[1])[0])
        synced = client.post(f"/canales/calendarios/{feed_id}/sincronizar", data={"csrf_token": token})
        assert synced.headers["location"].startswith("/canales?listo=fallo")
        page = client.get(synced.headers["location"])
        assert "127.0.0.1/cal.ics" in page.text and "No pude conectarme con el canal." in page.text
        exports = re.findall(rf'id="exporta-{cabin.id}-airbnb" type="text" readonly value="([^"]+)"', page.text)
        assert exports[0].endswith("exclude_source=airbnb")  # Airbnb's copy leaves out what came from Airbnb
        removed = client.post(f"/canales/calendarios/{feed_id}/quitar", data={"csrf_token": token})
        assert removed.headers["location"] == "/canales?listo=quitado"
        assert f'id="calendario-{feed_id}"' not in client.get("/canales").text


def test_the_owner_invites_changes_roles_and_deactivates(
    console: str, user: UserMaker, accounts: accounts_pb2_grpc.AccountsServiceStub
) -> None:
    with signed_in(console, user()) as client:
        token = csrf(client.get("/equipo").text)
        email = f"nuevo-{id(token)}@example.com"
        invite = {
            "csrf_token": token,
            "email": email,
            "nombre": "Nora Nueva",
            "telefono": "+54 9 294 412-3456",
            "rol": "staff",
        }
        weak = client.post("/equipo/invitar", data=invite | {"clave": "1234567890"})
        assert weak.status_code == 422 and 'id="f-clave-error"' in weak.text and f'value="{email}"' in weak.text
        added = client.post("/equipo/invitar", data=invite | {"clave": PASSWORD})
        assert added.status_code == 303
        page = client.get(added.headers["location"])
        assert "Listo, ya puede entrar" in page.text and "Nora Nueva" in page.text and "+5492944123456" in page.text
        taken = client.post("/equipo/invitar", data=invite | {"clave": PASSWORD})
        assert taken.status_code == 422 and "Ya hay un usuario con ese e-mail." in taken.text
        nora = next(u for u in _users(accounts) if u.email == email)
        assert nora.role == accounts_pb2.ROLE_STAFF
        assert client.post(f"/equipo/{nora.id}/rol", data={"csrf_token": token, "rol": "viewer"}).status_code == 303
        assert client.post(f"/equipo/{nora.id}/activo", data={"csrf_token": token, "activo": "no"}).status_code == 303
        nora = accounts.GetUser(accounts_pb2.GetUserRequest(id=nora.id))
        assert (nora.role, nora.active) == (accounts_pb2.ROLE_VIEWER, False)
        assert "Desactivado/a" in client.get("/equipo").text
        with http_client(console) as other:
            assert login(other, email).status_code == 200  # the form again: she cannot sign in


def _users(accounts: accounts_pb2_grpc.AccountsServiceStub) -> list[accounts_pb2.User]:
    found: list[accounts_pb2.User] = []
    token = ""
    while True:
        reply = accounts.ListUsers(accounts_pb2.ListUsersRequest(page={"page_size": 100, "page_token": token}))
        found += reply.users
        if not (token := reply.page.next_page_token):
            return found


def _me(accounts: accounts_pb2_grpc.AccountsServiceStub, email: str) -> accounts_pb2.User:
    """The user with that e-mail, without their last login (signing in changes it)."""
    found = next(u for u in _users(accounts) if u.email == email)
    found.ClearField("last_login_at")
    return found


def test_settings_profile_password_and_alerts(
    console: str, user: UserMaker, accounts: accounts_pb2_grpc.AccountsServiceStub
) -> None:
    email = user()
    with signed_in(console, email) as client:
        page = client.get("/ajustes")
        token = csrf(page.text)
        assert 'name="whatsapp" value="chargeback"' in page.text and "Desconocieron un pago" in page.text
        profile = client.post("/ajustes/perfil", data={"csrf_token": token, "nombre": "Carla D.", "telefono": "29441"})
        assert profile.status_code == 422 and "El teléfono va con el código de país" in profile.text
        profile = client.post(
            "/ajustes/perfil", data={"csrf_token": token, "nombre": "Carla D.", "telefono": "+5492944000111"}
        )
        assert profile.headers["location"] == "/ajustes?listo=perfil"
        alerts = client.post(
            "/ajustes/avisos",
            content="csrf_token=" + token + "&whatsapp=guest_waiting&email=chargeback&email=made_up",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert alerts.headers["location"] == "/ajustes?listo=avisos"
        me = _me(accounts, email)
        assert (me.name, me.phone) == ("Carla D.", "+5492944000111")
        assert list(me.notifications.whatsapp) == [accounts_pb2.ALERT_GUEST_WAITING]
        assert list(me.notifications.email) == [accounts_pb2.ALERT_CHARGEBACK]
        wrong = client.post(
            "/ajustes/clave", data={"csrf_token": token, "actual": "no-es-esta-clave", "nueva": "otra-clave-del-bosque"}
        )
        assert wrong.status_code == 422 and "Esa no es tu contraseña actual." in wrong.text
        weak = client.post("/ajustes/clave", data={"csrf_token": token, "actual": PASSWORD, "nueva": "1234567890"})
        assert weak.status_code == 422 and 'id="f-nueva-error"' in weak.text
        old_session = client.cookies[SESSION_COOKIE]
        changed = client.post(
            "/ajustes/clave", data={"csrf_token": token, "actual": PASSWORD, "nueva": "otra-clave-del-bosque"}
        )
        assert changed.headers["location"] == "/ajustes?listo=clave"
        assert client.cookies[SESSION_COOKIE] != old_session  # a new session: still signed in
        assert "Listo, cambié tu contraseña" in client.get("/ajustes?listo=clave").text
    with http_client(console) as other:
        assert login(other, email).status_code == 200  # the old password no longer opens
        assert login(other, email, "otra-clave-del-bosque").status_code == 303


def test_an_api_token_is_shown_once_works_on_the_admin_api_and_stops_when_revoked(
    console: str, stack: Stack, user: UserMaker
) -> None:
    with signed_in(console, user()) as client:
        token = csrf(client.get("/ajustes").text)
        created = client.post("/ajustes/tokens", data={"csrf_token": token, "nombre": "Planilla de limpieza"})
        assert created.status_code == 200 and "no lo vas a poder ver de nuevo" in created.text
        secret = re.search(r'id="token-nuevo" type="text" readonly value="(cab_[^"]+)"', created.text)
        assert secret
        later = client.get("/ajustes").text
        assert secret.group(1) not in later and "Planilla de limpieza" in later and "nunca usado" in later
        admin = f"{stack.gateway_url}/api/v1/admin/reservations"
        headers = {"Authorization": f"Bearer {secret.group(1)}"}
        assert httpx.get(admin, headers=headers).status_code == 200
        assert "usado hace" in client.get("/ajustes").text
        token_id = re.search(r'action="/ajustes/tokens/(\d+)/revocar"', later)
        assert token_id
        revoked = client.post(f"/ajustes/tokens/{token_id.group(1)}/revocar", data={"csrf_token": token})
        assert revoked.headers["location"].startswith("/ajustes?listo=revocado")
        assert httpx.get(admin, headers=headers).status_code == 401


ADMIN_GETS = ("/cabanas", "/cabanas/nueva", "/canales", "/equipo")


def _posts(cabin_id: int, user_id: int) -> dict[str, dict[str, Any]]:
    """Every form of these pages that a role without the right may not post, with what it would change."""
    return {
        "/cabanas/nueva": {"name": "Intrusa", "capacity": "2", "base_price": "1.000"},
        f"/cabanas/{cabin_id}": {"name": "Cambiada", "capacity": "2", "base_price": "1.000"},
        "/canales/calendarios": {"cabana": cabin_id, "url": "https://example.com/x.ics", "canal": "other"},
        "/canales/calendarios/1/sincronizar": {},
        "/canales/calendarios/1/quitar": {},
        "/equipo/invitar": {"email": "intruso@example.com", "nombre": "Intruso", "rol": "owner", "clave": PASSWORD},
        f"/equipo/{user_id}/rol": {"rol": "owner"},
        f"/equipo/{user_id}/activo": {"activo": "no"},
        "/ajustes/avisos": {"whatsapp": "chargeback"},
        "/ajustes/tokens": {"nombre": "Para mí"},
        "/ajustes/tokens/1/revocar": {},
    }


@pytest.mark.parametrize("role", [accounts_pb2.ROLE_STAFF, accounts_pb2.ROLE_VIEWER])
def test_staff_and_viewers_are_refused_every_admin_page_and_form(
    console: str,
    user: UserMaker,
    role: accounts_pb2.Role,
    booking: booking_pb2_grpc.BookingServiceStub,
    accounts: accounts_pb2_grpc.AccountsServiceStub,
) -> None:
    cabin = make_cabin(booking)
    email = user(role, "Sergio Equipo")
    me = _me(accounts, email)
    with signed_in(console, email) as client:
        for path in (*ADMIN_GETS, f"/cabanas/{cabin.id}"):
            reply = client.get(path)
            assert reply.status_code == 403 and "Tu usuario no puede hacer esto" in reply.text, path
        settings = client.get("/ajustes")
        assert settings.status_code == 200 and "Tus datos" in settings.text
        assert "Tokens para integraciones" not in settings.text and 'name="whatsapp"' not in settings.text
        token = csrf(settings.text)
        for path, data in _posts(cabin.id, me.id).items():
            assert client.post(path, data=data | {"csrf_token": token}).status_code == 403, path
        nav = settings.text.split("</nav>", 1)[0]
        assert "/cabanas" not in nav and "/equipo" not in nav
    assert booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id)) == cabin
    assert _me(accounts, email) == me
    assert not any(u.email == "intruso@example.com" for u in _users(accounts))


def test_a_post_without_its_csrf_token_is_403(
    console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    with signed_in(console, user()) as client:
        form = _form(client.get(f"/cabanas/{cabin.id}").text)
        for path, data in _posts(cabin.id, 1).items():
            assert client.post(path, data=data).status_code == 403, path
        refused = client.post(f"/cabanas/{cabin.id}", data=form | {"csrf_token": "0" * 64, "base_price": "1"})
        assert refused.status_code == 403 and "El formulario venció" in refused.text
        for path in ("/ajustes/perfil", "/ajustes/clave"):
            assert client.post(path, data={"nombre": "X", "actual": PASSWORD, "nueva": "z" * 12}).status_code == 403
    assert booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id)) == cabin


def test_the_last_owner_is_told_why_they_cannot_step_down(
    console: str, user: UserMaker, accounts: accounts_pb2_grpc.AccountsServiceStub
) -> None:
    """Runs after the other owners' tests of this module: every other owner steps down first."""
    email = user()
    me = _me(accounts, email)
    for other in _users(accounts):
        if other.role == accounts_pb2.ROLE_OWNER and other.active and other.id != me.id:
            accounts.UpdateUser(
                accounts_pb2.UpdateUserRequest(id=other.id, user=accounts_pb2.User(role=accounts_pb2.ROLE_STAFF))
            )
    with signed_in(console, email) as client:
        token = csrf(client.get("/equipo").text)
        refused = client.post(f"/equipo/{me.id}/rol", data={"csrf_token": token, "rol": "staff"})
        assert refused.status_code == 409 and "Tiene que quedar al menos un dueño o dueña activo" in refused.text
        self_off = client.post(f"/equipo/{me.id}/activo", data={"csrf_token": token, "activo": "no"})
        assert self_off.status_code == 409 and "No podés desactivarte" in self_off.text
    assert _me(accounts, email) == me
    with pytest.raises(grpc.RpcError):  # and accounts says the same to anyone else
        accounts.UpdateUser(
            accounts_pb2.UpdateUserRequest(id=me.id, user=accounts_pb2.User(role=accounts_pb2.ROLE_VIEWER))
        )


# --- In a browser ---------------------------------------------------------------------------


@pytest.mark.browser
async def test_the_admin_pages_in_a_phone_browser(
    console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking, name="Cabaña Los Coihues", description="Dos ambientes, vista al lago.")
    async with phones(console) as browser:
        page = await browser.signed_in(user())
        await page.goto(f"{console}/cabanas")
        await page.get_by_role("heading", name="Cabañas").wait_for()
        await shot(page, "cabanas")
        await page.get_by_role("link", name="Editar Cabaña Los Coihues", exact=True).click()
        await page.locator("#f-base_price").fill("92.500")
        await page.get_by_label("Mascotas").fill("Sí, perros chicos con correa.")
        await page.get_by_role("button", name="Guardar cambios").click()
        await page.get_by_text("Listo, guardé los cambios.").wait_for()
        await shot(page, "cabana-editar")
        stored = booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id))
        assert stored.base_nightly_price.amount_minor == 9_250_000 and stored.guest_info.pets.startswith("Sí")
        for path, name in (("/canales", "canales"), ("/equipo", "equipo"), ("/ajustes", "ajustes")):
            await page.goto(f"{console}{path}")
            await shot(page, name)
        await page.get_by_label("Nombre del token").fill("Planilla")
        await page.get_by_role("button", name="Crear token").click()
        await page.get_by_label("Token nuevo").wait_for()
        await shot(page, "ajustes-token")
