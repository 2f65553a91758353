"""The console's reservations and calendar: the forms' parsers and the month grid, then the pages
over the test stack (search, a phone booking, a payment received, new dates, a cancellation, a
note, blocks) through HTTP and a phone-sized Chromium, and a viewer refused on every action."""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import grpc
import httpx
import pytest

from cabanas.v1 import accounts_pb2, booking_pb2, booking_pb2_grpc, common_pb2, payments_pb2, payments_pb2_grpc
from console.calendar import Busy, for_viewer, kind_of, month_grid, month_of
from console.present import parse_pesos, pesos, spoken_date
from console.reservations import (
    EARLIEST,
    LATEST,
    LISTED,
    Entry,
    Filters,
    Move,
    Received,
    events_of,
    filters_of,
    move_of,
    new_booking_of,
    phone_e164,
    received_of,
    who,
)
from services.booking.tests.helpers import hold, make_cabin
from tests.console_support import UserMaker, csrf, local_today, phones, shot, signed_in
from tests.stack import Stack

# --- What a person types ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "centavos"),
    [
        ("85.000", 8_500_000),
        ("85000", 8_500_000),
        ("85.000,50", 8_500_050),
        ("$ 85.000", 8_500_000),
        ("$85.000", 8_500_000),
        (" 1.234.567 ", 123_456_700),
        ("85000,5", 8_500_050),
        ("0,99", 99),
    ],
)
def test_pesos_as_people_type_them(typed: str, centavos: int) -> None:
    assert parse_pesos(typed) == centavos
    assert parse_pesos(pesos(centavos)) == centavos  # what the page shows reads back the same


@pytest.mark.parametrize("typed", ["", "85,000", "85.00", "8.5000", "-85.000", "85.000,505", "ochenta", "85k", "$"])
def test_what_is_not_an_amount_in_pesos_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_pesos(typed)


def test_phones_go_to_e164() -> None:
    assert phone_e164("+54 9 11 5555-5555") == "+5491155555555"
    assert phone_e164("0054 (911) 5555.5555") == "+5491155555555"
    assert phone_e164("5491155555555") == "+5491155555555"
    assert phone_e164("  ") == ""


def test_list_filters() -> None:
    filters, problems = filters_of(
        {"desde": "2026-12-01", "hasta": "2026-12-10", "cabana": "7", "estado": "confirmed", "buscar": " ana  pé "}
    )
    assert problems == {}
    assert filters == Filters(date(2026, 12, 1), date(2026, 12, 10), 7, "confirmed", "ana pé")
    assert filters.overlapping == (date(2026, 12, 1), date(2026, 12, 11))  # the 10th counts
    assert filters.statuses == ("confirmed",)
    assert Filters().overlapping is None and Filters().statuses == LISTED  # blocks are the calendar's
    assert Filters(since=date(2026, 1, 1)).overlapping == (date(2026, 1, 1), LATEST + timedelta(days=1))
    assert Filters(until=date(2026, 1, 1)).overlapping == (EARLIEST, date(2026, 1, 2))
    _, problems = filters_of({"desde": "2026-12-10", "hasta": "2026-12-01", "cabana": "x", "estado": "blocked"})
    assert problems == {"hasta": "order", "cabana": "invalid", "estado": "invalid"}
    assert filters_of({"desde": "10/12/2026", "buscar": "x" * 101})[1] == {"desde": "invalid", "buscar": "long"}


def test_a_payment_received() -> None:
    assert received_of({"monto": "$ 85.000", "metodo": "transfer", "nota": " op 123 "}) == (
        Received(8_500_000, "transfer", "op 123"),
        {},
    )
    assert received_of({"monto": "", "metodo": "card"}) == (None, {"monto": "required", "metodo": "required"})
    assert received_of({"monto": "0", "metodo": "cash"})[1] == {"monto": "zero"}
    assert received_of({"monto": "85,000", "metodo": "cash"})[1] == {"monto": "invalid"}


def test_new_dates_and_their_price() -> None:
    dates = {"desde": "2026-12-05", "hasta": "2026-12-08"}
    assert move_of(dates)[0] == Move(date(2026, 12, 5), date(2026, 12, 8), "reprice", None)
    assert move_of(dates | {"precio": "keep", "total": "1"})[0] == Move(
        date(2026, 12, 5), date(2026, 12, 8), "keep", None
    )
    assert move_of(dates | {"precio": "override", "total": "120.000"})[0] == Move(
        date(2026, 12, 5), date(2026, 12, 8), "override", 12_000_000
    )
    assert move_of(dates | {"precio": "override"})[1] == {"total": "required"}
    assert move_of({"desde": "2026-12-08", "hasta": "2026-12-08"})[1] == {"hasta": "order"}
    assert move_of({"precio": "free"})[1] == {"desde": "required", "hasta": "required", "precio": "invalid"}


def test_a_phone_booking() -> None:
    form = {
        "cabana": "3",
        "desde": "2026-12-05",
        "hasta": "2026-12-08",
        "huespedes": "2",
        "nombre": " Ana   Pérez ",
        "telefono": "+54 9 11 5555-5555",
        "precio": "",
        "nota": "llega tarde",
    }
    booking, problems = new_booking_of(form)
    assert problems == {} and booking is not None
    assert (booking.cabin_id, booking.guests, booking.name, booking.phone) == (3, 2, "Ana Pérez", "+5491155555555")
    assert booking.price_minor is None and booking.paid is None and booking.note == "llega tarde"
    paid, _ = new_booking_of(form | {"precio": "100.000", "monto": "30.000", "metodo": "cash"})
    assert paid is not None and paid.price_minor == 10_000_000 and paid.paid == Received(3_000_000, "cash", "")
    assert new_booking_of({"monto": "treinta", "huespedes": "99", "precio": "0"})[1] == {
        "cabana": "required",
        "desde": "required",
        "hasta": "required",
        "huespedes": "invalid",
        "nombre": "required",
        "precio": "zero",
        "monto": "invalid",
        "metodo": "required",
    }


def test_history_names_who_did_what() -> None:
    names = {7: "Carla Dueña"}
    assert who("user:7", names) == "Carla Dueña"
    assert who("user:8", names) == "Alguien del equipo"  # a user no longer found
    assert who("admin:ops", names) == "ops"
    assert [who(a, names) for a in ("guest", "system", "payments")] == ["El huésped", "Sistema", "Mercado Pago"]
    at = datetime(2026, 12, 1, 12, tzinfo=UTC)
    moved = Entry(
        at,
        "user:7",
        "dates_changed",
        data={"from": "2026-12-05/2026-12-08", "to": "2026-12-06/2026-12-09", "total_before": "100", "total": "150"},
    )
    [event, note] = events_of([moved, Entry(at, "guest", "note", "hola")], names)
    assert (event.who, event.action, event.total_before_minor, event.total_minor) == (
        "Carla Dueña",
        "dates_changed",
        100,
        150,
    )
    assert event.moved_from == (date(2026, 12, 5), date(2026, 12, 8))
    assert event.moved_to == (date(2026, 12, 6), date(2026, 12, 9))
    assert (note.who, note.text, note.moved_from, note.total_minor) == ("El huésped", "hola", None, None)


# --- The month grid -------------------------------------------------------------------------


def test_a_month_per_cabin_marks_each_night() -> None:
    first, today = date(2026, 12, 1), date(2026, 12, 3)  # December 2026 starts on a Tuesday
    stays = [
        Busy("A", 1, date(2026, 11, 29), date(2026, 12, 2), "confirmed", guest="Ana Pérez"),
        Busy("B", 1, date(2026, 12, 5), date(2026, 12, 8), kind_of("blocked", "owner"), reason="pintura"),
        Busy("C", 2, date(2026, 12, 30), date(2027, 1, 3), kind_of("blocked", "airbnb"), source="airbnb"),
        Busy("D", 1, date(2027, 1, 5), date(2027, 1, 8), "confirmed"),  # another month
    ]
    month = month_grid(first, [(1, "Lago"), (2, "Bosque")], stays, today)
    assert (month.previous, month.next) == (date(2026, 11, 1), date(2027, 1, 1))
    lake, wood = month.cabins
    assert [b.code for b in lake.stays] == ["A", "B"] and [b.code for b in wood.stays] == ["C"]
    assert lake.weeks[0][0] is None  # Monday 30 November is not this month's
    nights = {n.day.day: n for week in lake.weeks for n in week if n is not None}
    assert len(nights) == 31 and all(len(week) == 7 for week in lake.weeks)
    assert nights[1].busy == stays[0] and nights[1].starts and nights[1].past
    assert nights[2].busy is None  # check-out day: that night is free
    kinds = {day: busy.kind if (busy := night.busy) else None for day, night in nights.items()}
    assert [kinds[d] for d in (4, 5, 6, 7, 8)] == [
        None,
        "owner",
        "owner",
        "owner",
        None,
    ]
    assert nights[5].starts and not nights[6].starts and not nights[5].past
    assert {n.busy.kind for week in wood.weeks for n in week if n and n.busy} == {"channel"}
    assert kind_of("pre_reserved", "") == "hold" and kind_of("blocked", "booking") == "channel"
    assert for_viewer(stays[0]).guest == "Ana"


def test_the_month_asked_for() -> None:
    today = date(2026, 12, 17)
    assert month_of("2027-02", today) == date(2027, 2, 1)
    assert month_of("", today) == month_of("2027-13", today) == month_of("febrero", today) == date(2026, 12, 1)


# --- Over the stack -------------------------------------------------------------------------


def _token(client: httpx.Client) -> str:
    return csrf(client.get("/hoy").text)


def _post(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    return client.post(path, data={**data, "csrf_token": _token(client)})


def _reservation(booking: booking_pb2_grpc.BookingServiceStub, code: str) -> booking_pb2.Reservation:
    return booking.GetReservation(booking_pb2.GetReservationRequest(code=code)).reservation


def _available(stack: Stack, cabin: int, start: date, end: date) -> bool:
    query = {"check_in": start.isoformat(), "check_out": end.isoformat(), "guests": "2"}
    reply = httpx.get(f"{stack.gateway_url}/api/v1/accommodations/{cabin}/availability", params=query)
    assert reply.status_code == 200, reply.text
    assert reply.json()["available"] or reply.json()["reason"] == "dates_unavailable", reply.text
    return bool(reply.json()["available"])


@pytest.fixture(scope="module")
def payments(stack: Stack) -> Iterator[payments_pb2_grpc.PaymentsServiceStub]:
    with grpc.insecure_channel(stack.addr("payments")) as channel:
        yield payments_pb2_grpc.PaymentsServiceStub(channel)


def _payments(payments: payments_pb2_grpc.PaymentsServiceStub, code: str) -> list[payments_pb2.Payment]:
    return list(payments.ListPayments(payments_pb2.ListPaymentsRequest(reservation_code=code)).payments)


def test_a_phone_booking_paid_moved_noted_and_cancelled(
    console: str,
    user: UserMaker,
    booking: booking_pb2_grpc.BookingServiceStub,
    payments: payments_pb2_grpc.PaymentsServiceStub,
) -> None:
    cabin = make_cabin(booking)
    start = local_today() + timedelta(days=40)
    with signed_in(console, user()) as client:
        form = client.get(f"/reservas/nueva?cabana={cabin.id}&desde={start}&hasta={start + timedelta(days=3)}")
        assert form.status_code == 200 and f'value="{start.isoformat()}"' in form.text
        key = re.search(r'name="clave" value="([0-9a-f]+)"', form.text)
        assert key
        data = {
            "cabana": str(cabin.id),
            "desde": start.isoformat(),
            "hasta": (start + timedelta(days=3)).isoformat(),
            "huespedes": "2",
            "nombre": "Julieta Sosa",
            "telefono": "+54 9 294 455-6677",
            "precio": "120.000",
            "nota": "Llega tarde",
            "monto": "$ 40.000",
            "metodo": "transfer",
            "clave": key.group(1),
        }
        made = _post(client, "/reservas/nueva", data)
        assert made.status_code == 303, made.text
        again = _post(client, "/reservas/nueva", data)  # a double submit books once, pays once
        assert again.headers["location"] == made.headers["location"]
        code = made.headers["location"].split("/")[2].split("?")[0]
        page = client.get(made.headers["location"]).text
        assert "Guardé el pago" in page and "Julieta Sosa" in page and "https://wa.me/5492944556677" in page
        assert "$120.000" in page and "$40.000" in page and "por transferencia" in page and "Carla Dueña" in page
        assert "Llega tarde" in page and "Falta pagar" in page and "$80.000" in page
        assert [p.amount.amount_minor for p in _payments(payments, code)] == [4_000_000]

        found = _post(client, "/reservas", {"buscar": "julieta sosa"})
        assert found.status_code == 200 and code in found.text and "3 noches" in found.text
        assert code not in _post(client, "/reservas", {"buscar": "julieta", "estado": "cancelled"}).text

        bad = _post(client, f"/reservas/{code}/pago", {"monto": "85,000", "metodo": "cash"})
        assert bad.status_code == 422 and "por ejemplo 85.000" in bad.text
        assert len(_payments(payments, code)) == 1

        later = start + timedelta(days=1)
        move = {"desde": later.isoformat(), "hasta": (later + timedelta(days=3)).isoformat(), "precio": "keep"}
        preview = _post(client, f"/reservas/{code}/fechas", move)
        assert preview.status_code == 200 and "¿Mover la reserva de Julieta Sosa?" in preview.text
        assert spoken_date(later) in preview.text and "$120.000" in preview.text
        assert day_of(_reservation(booking, code).stay.start) == start  # nothing moved yet
        moved = _post(client, f"/reservas/{code}/fechas", move | {"confirmar": "1"})
        assert moved.status_code == 303 and moved.headers["location"].endswith("listo=fechas")
        assert day_of(_reservation(booking, code).stay.start) == later
        assert "Cambió las fechas" in client.get(f"/reservas/{code}").text

        noted = _post(client, f"/reservas/{code}/nota", {"texto": "Pidió cuna"})
        assert noted.status_code == 303
        assert "Pidió cuna" in client.get(f"/reservas/{code}").text

        asked = client.get(f"/reservas/{code}/cancelar")
        assert "¿Cancelar la reserva de Julieta Sosa?" in asked.text and cabin.name in asked.text
        gone = _post(client, f"/reservas/{code}/cancelar", {"motivo": "Cambió de planes"})
        assert gone.status_code == 303
        assert _reservation(booking, code).status == common_pb2.RESERVATION_STATUS_CANCELLED
        assert "Cambió de planes" in client.get(f"/reservas/{code}").text


def day_of(value: common_pb2.Date) -> date:
    return date(value.year, value.month, value.day)


def test_refusals_are_shown_on_the_page(
    console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking, capacity=2)
    start = local_today() + timedelta(days=50)
    taken = hold(booking, cabin.id, start, start + timedelta(days=2)).reservation
    with signed_in(console, user()) as client:
        data = {
            "cabana": str(cabin.id),
            "desde": start.isoformat(),
            "hasta": (start + timedelta(days=2)).isoformat(),
            "huespedes": "2",
            "nombre": "Pedro Ruiz",
        }
        overlap = _post(client, "/reservas/nueva", data)
        assert overlap.status_code == 409 and "Esas fechas ya no están disponibles" in overlap.text
        assert 'value="Pedro Ruiz"' in overlap.text  # what was typed stays
        crowd = _post(
            client,
            "/reservas/nueva",
            data
            | {
                "desde": (start + timedelta(days=5)).isoformat(),
                "hasta": (start + timedelta(days=6)).isoformat(),
                "huespedes": "3",
            },
        )
        assert crowd.status_code == 422 and "alert" in crowd.text
        empty = _post(client, "/reservas/nueva", {})
        assert empty.status_code == 422 and "Poné el nombre del huésped" in empty.text
        blocked = _post(
            client,
            "/calendario/bloquear",
            {"cabana": str(cabin.id), "desde": start.isoformat(), "hasta": (start + timedelta(days=1)).isoformat()},
        )
        assert blocked.status_code == 409 and "no están disponibles" in blocked.text
        assert client.get("/reservas/RESNOSUCHCODE").status_code == 404
        lost = _post(client, "/reservas", {"pagina": "not-a-page-token"})  # an edited form: said, not a 500
        assert lost.status_code == 422 and 'role="alert"' in lost.text
    assert _reservation(booking, taken.code).status == common_pb2.RESERVATION_STATUS_PRE_RESERVED


ACTIONS = [
    "/reservas/{code}/pago",
    "/reservas/{code}/fechas",
    "/reservas/{code}/cancelar",
    "/reservas/{code}/nota",
    "/reservas/nueva",
    "/calendario/bloquear",
    "/calendario/desbloquear",
]


def test_a_viewer_is_refused_every_action_and_a_form_without_csrf_is_403(
    console: str,
    user: UserMaker,
    booking: booking_pb2_grpc.BookingServiceStub,
    payments: payments_pb2_grpc.PaymentsServiceStub,
) -> None:
    cabin = make_cabin(booking)
    start = local_today() + timedelta(days=60)
    held = hold(booking, cabin.id, start, start + timedelta(days=2)).reservation
    block = booking.CreateBlock(
        booking_pb2.CreateBlockRequest(
            accommodation_id=cabin.id,
            stay=range_of(start + timedelta(days=5), start + timedelta(days=7)),
            reason="pintura",
            actor="user:1",
        )
    )
    everything = {
        "monto": "85.000",
        "metodo": "cash",
        "desde": (start + timedelta(days=10)).isoformat(),
        "hasta": (start + timedelta(days=12)).isoformat(),
        "precio": "keep",
        "confirmar": "1",
        "texto": "hola",
        "cabana": str(cabin.id),
        "huespedes": "2",
        "nombre": "Intruso",
        "codigo": block.code,
    }
    with signed_in(console, user(accounts_pb2.ROLE_VIEWER, "Lidia Limpieza")) as client:
        assert client.get("/reservas").status_code == 403
        assert client.get(f"/reservas/{held.code}").status_code == 403
        assert client.get("/reservas/nueva").status_code == 403
        assert client.get(f"/calendario/bloquear?cabana={cabin.id}&desde={start}").status_code == 403
        assert _post(client, "/reservas", {"buscar": "Ana"}).status_code == 403
        for path in ACTIONS:
            assert _post(client, path.format(code=held.code), everything).status_code == 403, path
        calendar = client.get(f"/calendario?mes={start:%Y-%m}")
        assert (
            calendar.status_code == 200
            and "Quitar bloqueo" not in calendar.text
            and "/calendario/bloquear" not in calendar.text
        )
        assert "Ana" in calendar.text and "Pérez" not in calendar.text and "$" not in calendar.text.split("<main>")[1]
    with signed_in(console, user()) as owner:
        for path in ["/reservas", *ACTIONS]:
            assert owner.post(path.format(code=held.code), data=everything).status_code == 403, path
    assert _reservation(booking, held.code) == held
    assert _reservation(booking, block.code).status == common_pb2.RESERVATION_STATUS_BLOCKED
    assert _payments(payments, held.code) == []
    listed = booking.ListReservations(booking_pb2.ListReservationsRequest(accommodation_id=cabin.id)).reservations
    assert {r.code for r in listed} == {held.code, block.code}


def range_of(start: date, end: date) -> common_pb2.DateRange:
    return common_pb2.DateRange(
        start=common_pb2.Date(year=start.year, month=start.month, day=start.day),
        end=common_pb2.Date(year=end.year, month=end.month, day=end.day),
    )


def _cabin_month(html: str, cabin_id: int) -> str:
    found = re.search(
        rf'<section class="card cabin-month" aria-labelledby="cabana-{cabin_id}">(.*?)</section>', html, re.S
    )
    assert found, cabin_id
    return found.group(1)


def test_blocks_close_the_nights_and_reopen_them(
    stack: Stack, console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    start = local_today() + timedelta(days=70)
    end = start + timedelta(days=2)
    assert _available(stack, cabin.id, start, end)
    with signed_in(console, user()) as client:
        form = client.get(f"/calendario/bloquear?cabana={cabin.id}&desde={start}")
        assert f'value="{(start + timedelta(days=1)).isoformat()}"' in form.text  # one night, to start with
        done = _post(
            client,
            "/calendario/bloquear",
            {"cabana": str(cabin.id), "desde": start.isoformat(), "hasta": end.isoformat(), "motivo": "Pintura"},
        )
        assert done.status_code == 303 and done.headers["location"] == f"/calendario?mes={start:%Y-%m}&listo=bloqueado"
        assert not _available(stack, cabin.id, start, end)
        page = client.get(done.headers["location"]).text
        assert "Guardé el bloqueo" in page
        own = _cabin_month(page, cabin.id)
        assert "Bloqueo: Pintura" in own
        code = re.search(r'name="codigo" value="(BLK\w+)"', own)
        assert code
        reopened = _post(client, "/calendario/desbloquear", {"codigo": code.group(1), "mes": f"{start:%Y-%m}"})
        assert reopened.status_code == 303 and "listo=desbloqueado" in reopened.headers["location"]
        assert _available(stack, cabin.id, start, end)


# --- In a browser ---------------------------------------------------------------------------


@pytest.mark.browser
async def test_the_owner_runs_reservations_from_a_phone(
    stack: Stack, console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    """Chromium at 390 px: block nights from the calendar and see the public API refuse them, take
    a phone booking, move it, and record cash on a guest's hold, which confirms it."""
    cabin = make_cabin(booking, name=f"Cabaña Los Coihues {start_tag()}")
    start = local_today() + timedelta(days=3)
    guest_hold = hold(booking, cabin.id, start + timedelta(days=10), start + timedelta(days=12)).reservation
    async with phones(console) as browser:
        page = await browser.signed_in(user())
        await page.goto(f"{console}/calendario?mes={start:%Y-%m}")
        await page.get_by_role("link", name=f"{spoken_date(start)}, libre: bloquear o reservar").first.wait_for()
        await shot(page, "calendario")
        section = page.locator("section", has=page.get_by_role("heading", name=cabin.name))
        await section.get_by_role("link", name=f"{spoken_date(start)}, libre: bloquear o reservar").click()
        await page.get_by_label("Hasta", exact=True).fill((start + timedelta(days=2)).isoformat())
        await page.get_by_label("Motivo (opcional)").fill("Uso propio")
        await shot(page, "bloquear")
        await page.get_by_role("button", name="Bloquear").click()
        await page.get_by_text("Guardé el bloqueo").wait_for()
        assert not _available(stack, cabin.id, start, start + timedelta(days=2))

        await page.goto(f"{console}/reservas/nueva?cabana={cabin.id}")
        await page.get_by_label("Llega").fill((start + timedelta(days=4)).isoformat())
        await page.get_by_label("Se va").fill((start + timedelta(days=6)).isoformat())
        await page.get_by_label("Nombre y apellido").fill("Sofía Benítez")
        await page.get_by_label("Teléfono (WhatsApp)").fill("+54 9 294 400-1122")
        await shot(page, "nueva")
        await page.get_by_role("button", name="Guardar la reserva").click()
        await page.get_by_text("la reserva quedó cargada").wait_for()
        await page.get_by_label("Llega").fill((start + timedelta(days=5)).isoformat())
        await page.get_by_label("Se va").fill((start + timedelta(days=8)).isoformat())
        await page.get_by_role("button", name="Ver cómo queda").click()
        await page.get_by_role("heading", name="¿Mover la reserva de Sofía Benítez?").wait_for()
        await shot(page, "reserva-fechas")
        await page.get_by_role("button", name="Sí, mover la reserva").click()
        await page.get_by_text("Listo, cambié las fechas.").wait_for()
        assert not _available(stack, cabin.id, start + timedelta(days=7), start + timedelta(days=8))
        assert _available(stack, cabin.id, start + timedelta(days=4), start + timedelta(days=5))
        await shot(page, "reserva")

        await page.goto(f"{console}/reservas/{guest_hold.code}")
        await page.get_by_label("Monto").fill(pesos(guest_hold.deposit.amount_minor))
        await page.get_by_label("Efectivo").check()
        await page.get_by_role("button", name="Guardar el pago").click()
        await page.get_by_text("La reserva quedó confirmada.").wait_for()
        assert _reservation(booking, guest_hold.code).status == common_pb2.RESERVATION_STATUS_CONFIRMED

        await page.goto(f"{console}/reservas")
        await page.get_by_label("Buscar", exact=True).fill("Sofía")
        await page.get_by_role("button", name="Buscar").click()
        await page.get_by_role("link", name=re.compile("Sofía Benítez")).first.wait_for()
        await shot(page, "reservas")
        await page.goto(f"{console}/calendario?mes={start:%Y-%m}")
        await shot(page, "calendario-ocupado")


def start_tag() -> str:
    return datetime.now(UTC).strftime("%H%M%S%f")
