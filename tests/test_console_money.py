"""The owner's side of the money (issue 17): a cabin's cancellation policy and how its balance is
collected, a reservation's balance and refunds, what a cancellation gives back, a duplicate
payment given back with one confirmed tap, and what /hoy asks the owner to do about refunds.
First the forms' rules without services, then the test stack through HTTP (policy edited in days
and %, seen by new bookings only; a paid stay cancelled with another amount, refunded at Mercado
Pago's fake; roles and CSRF), then Chromium at 390 px."""

import asyncio
import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import grpc
import httpx
import pytest

from cabanas.v1 import accounts_pb2, booking_pb2, booking_pb2_grpc, common_pb2, payments_pb2, payments_pb2_grpc
from console import cabins
from console.present import days_left
from console.reservations import Balance, Refund, RefundChoice, refund_of
from console.today import HandRefund, PaymentIssue, attention_of
from services.booking.tests.helpers import hold, make_cabin
from services.common.cancellation import DEFAULT_POLICY, Rule, describe
from tests.console_support import UserMaker, csrf, local_today, phones, shot, signed_in
from tests.stack import Infra, Stack
from tests.test_payments import checkout, fake_payment, notify

if TYPE_CHECKING:
    from playwright.async_api import Page

# --- The forms, without services --------------------------------------------------------------


def _cabin(**fields: Any) -> booking_pb2.Accommodation:
    return booking_pb2.Accommodation(id=3, name="Cabaña del Bosque", capacity=4, **fields)


def test_a_cabins_policy_is_shown_as_rows_and_read_back() -> None:
    rules = [booking_pb2.CancellationRule(days_before=30, percent=100), booking_pb2.CancellationRule(days_before=10)]
    form = cabins.values(_cabin(cancellation_rules=rules, balance_on_arrival=True))
    assert (form["rule-0-days"], form["rule-0-percent"], form["rule-1-days"], form["rule-1-percent"]) == (
        "30",
        "100",
        "10",
        "0",
    )
    assert form["balance"] == "arrival"
    assert cabins.rule_rows(form) == 2 + cabins.EMPTY_RULES
    back = cabins.accommodation(form | {"base_price": "85.000"}, _cabin())
    assert list(back.cancellation_rules) == rules and back.balance_on_arrival
    assert "cancellation_rules" in cabins.PATHS and "balance_on_arrival" in cabins.PATHS


def test_no_rules_is_the_default_and_empty_rows_are_dropped() -> None:
    form = cabins.values(_cabin())
    assert not any(key.startswith("rule-") for key in form) and form["balance"] == "online"
    assert cabins.rule_rows(form) == cabins.MIN_RULE_ROWS  # room to write one like the default
    typed = form | {
        "base_price": "85.000",
        "rule-0-days": "",
        "rule-0-percent": "",  # emptied: gone
        "rule-1-days": " 20 ",
        "rule-1-percent": "80 %",
        "rule-4-days": "3",
        "rule-4-percent": "10",
    }
    cabin = cabins.accommodation(typed, _cabin())
    assert [(r.days_before, r.percent) for r in cabin.cancellation_rules] == [(20, 80), (3, 10)]
    assert not cabin.balance_on_arrival
    assert cabins.rule_rows(typed) == 5 + cabins.EMPTY_RULES


@pytest.mark.parametrize(
    ("days", "percent"), [("15", ""), ("", "50"), ("quince", "50"), ("366", "50"), ("15", "101"), ("-1", "0")]
)
def test_a_half_filled_or_wrong_rule_is_named(days: str, percent: str) -> None:
    form = cabins.values(_cabin()) | {"base_price": "85.000", "rule-2-days": days, "rule-2-percent": percent}
    with pytest.raises(cabins.FormErrors) as wrong:
        cabins.accommodation(form, _cabin())
    assert wrong.value.fields == {"rule-2"}


def test_how_the_balance_is_collected_is_one_of_two() -> None:
    form = cabins.values(_cabin()) | {"base_price": "85.000", "balance": "cheque"}
    with pytest.raises(cabins.FormErrors) as wrong:
        cabins.accommodation(form, _cabin())
    assert wrong.value.fields == {"balance"}


def test_what_a_cancellation_gives_back() -> None:
    paid = 5_000_000
    assert refund_of({}, paid) == (RefundChoice("policy", None, ""), {})  # the policy needs no reason
    assert refund_of({"devolucion": "full", "motivo": " Se  enfermó "}, paid) == (
        RefundChoice("full", None, "Se enfermó"),
        {},
    )
    assert refund_of({"devolucion": "amount", "monto": "$ 12.345,50", "motivo": "Acordado"}, paid)[0] == (
        RefundChoice("amount", 1_234_550, "Acordado")
    )
    assert refund_of({"devolucion": "none", "motivo": "No se presentó", "monto": "basura"}, paid)[0] == (
        RefundChoice("none", None, "No se presentó")
    )
    assert refund_of({"devolucion": "amount", "monto": "25.000", "motivo": "x"}, 2_500_000)[1] == {}


@pytest.mark.parametrize(
    ("form", "problems"),
    [
        ({"devolucion": "full"}, {"motivo": "required"}),
        ({"devolucion": "none", "motivo": "   "}, {"motivo": "required"}),
        ({"devolucion": "amount", "motivo": "x"}, {"monto": "required"}),
        ({"devolucion": "amount", "monto": "25,000", "motivo": "x"}, {"monto": "invalid"}),
        ({"devolucion": "amount", "monto": "0", "motivo": "x"}, {"monto": "zero"}),
        ({"devolucion": "amount", "monto": "50.000,01", "motivo": "x"}, {"monto": "more"}),
        ({"devolucion": "todo", "motivo": "x"}, {"devolucion": "invalid"}),
        ({"motivo": "x" * 501}, {"motivo": "long"}),
    ],
)
def test_a_cancellation_choice_that_is_not_clear_is_asked_again(form: dict[str, str], problems: dict[str, str]) -> None:
    assert refund_of(form, 5_000_000) == (None, problems)


def test_days_to_arrival_as_the_owner_says_them() -> None:
    assert [days_left(n) for n in (10, 2, 1, 0, -1, -3)] == [
        "Faltan 10 días",
        "Faltan 2 días",
        "Falta 1 día",
        "Llega hoy",
        "Llegó hace 1 día",
        "Llegó hace 3 días",
    ]


def _balance(**fields: Any) -> Balance:
    values: dict[str, Any] = {
        "total_minor": 10_000_000,
        "paid_minor": 13_000_000,
        "refunded_minor": 0,
        "due_minor": 0,
        "overpaid_minor": 3_000_000,
        "payment_url": "",
        "days_before": 10,
        "percent": 50,
        "policy_refund_minor": 0,
    }
    return Balance(**(values | fields))


def _refund(amount: int, status: str) -> Refund:
    return Refund(1, amount, status, None, "Carla", "Pagó de más", "")


def test_what_the_owner_may_give_back_outside_a_cancellation() -> None:
    assert _balance().refundable_minor("confirmed") == 3_000_000  # a duplicate payment
    assert _balance(refunds=[_refund(1_000_000, "requested")]).refundable_minor("confirmed") == 2_000_000
    assert _balance(refunds=[_refund(3_000_000, "failed")]).refundable_minor("confirmed") == 3_000_000
    assert _balance(refunds=[_refund(3_000_000, "by_hand")]).refundable_minor("confirmed") == 0
    assert _balance(overpaid_minor=0).refundable_minor("confirmed") == 0
    expired = _balance(paid_minor=3_000_000, refunded_minor=1_000_000, overpaid_minor=0)
    assert expired.refundable_minor("expired") == 2_000_000 and expired.kept_minor == 2_000_000  # paid too late
    assert _balance().refundable_minor("cancelled") == 0  # its cancellation decided


def test_hoy_lists_refunds_to_give_by_hand_and_money_taken_back_for_a_month() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    week, old = now - timedelta(days=7), now - timedelta(days=40)
    payments = [
        PaymentIssue("refund_failed", "F", 100, old),  # money owed: listed however old
        PaymentIssue("refunded_outside", "O", 200, week),
        PaymentIssue("refunded_outside", "P", 300, old),
    ]
    refunds = [HandRefund("H1", "Ana", 400, old), HandRefund("H2", "Leo", 500, week), HandRefund("H3", "Ema", 600, now)]
    found = attention_of([], payments, [], now, refunds)
    assert [p.code for p in found.payments] == ["O", "F"]
    assert [r.code for r in found.refunds] == ["H3", "H2"] and found.found


# --- Over the stack ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def payments(stack: Stack) -> Iterator[payments_pb2_grpc.PaymentsServiceStub]:
    with grpc.insecure_channel(stack.addr("payments")) as channel:
        yield payments_pb2_grpc.PaymentsServiceStub(channel)


def _post(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    return client.post(path, data={**data, "csrf_token": csrf(client.get("/hoy").text)})


def _book(stack: Stack, cabin_id: int, start: date, nights: int = 2, name: str = "Ana Pérez") -> dict[str, Any]:
    reply = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations",
        json={
            "accommodation_id": cabin_id,
            "check_in": start.isoformat(),
            "check_out": (start + timedelta(days=nights)).isoformat(),
            "guests": 2,
            "guest_name": name,
            "guest_phone": "+5492944123456",
        },
    )
    assert reply.status_code == 201, reply.text
    made: dict[str, Any] = reply.json()
    return made


def _public(stack: Stack, held: dict[str, Any]) -> dict[str, Any]:
    reply = httpx.get(
        f"{stack.gateway_url}/api/v1/reservations/{held['code']}", headers={"X-Manage-Token": held["manage_token"]}
    )
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def _until(what: str, check: Any, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.1)
    return found


async def _reload_until(page: "Page", selector: str) -> None:
    async with asyncio.timeout(15):
        while not await page.locator(selector).count():
            await asyncio.sleep(0.2)
            await page.reload()


def _paid(stack: Stack, cabin_id: int, start: date, name: str = "Ana Pérez") -> dict[str, Any]:
    """A stay whose deposit was paid at Mercado Pago's checkout (the sandbox), confirmed."""
    held = _book(stack, cabin_id, start, name=name)
    assert httpx.post(f"{checkout(held)}/pay").status_code == 200
    _until(f"{held['code']} confirmed", lambda: _public(stack, held)["status"] == "confirmed")
    return held


def _refunds_at_mercadopago(stack: Stack) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = httpx.get(f"{stack.env['MERCADOPAGO_API_BASE']}/_control/requests").json()
    return [r for r in requests if r["path"].endswith("/refunds")]


def _policy_form(cabin: booking_pb2.Accommodation, rows: list[tuple[str, str]], **fields: str) -> dict[str, str]:
    """The cabin's form as the page fills it, with the policy rows replaced by `rows`."""
    form = {k: v for k, v in cabins.values(cabin).items() if not k.startswith("rule-")}
    for index, (days, percent) in enumerate(rows):
        form |= {f"rule-{index}-days": days, f"rule-{index}-percent": percent}
    return form | fields


def test_the_owner_edits_the_policy_and_only_new_bookings_take_it(
    stack: Stack, console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    start = local_today() + timedelta(days=50)
    before = _book(stack, cabin.id, start)
    with signed_in(console, user()) as client:
        page = client.get(f"/cabanas/{cabin.id}")
        assert page.status_code == 200 and describe(DEFAULT_POLICY) in page.text.replace("&#34;", '"')
        assert 'name="rule-0-days"' in page.text and "El saldo se cobra" in page.text

        worse = _post(client, f"/cabanas/{cabin.id}", _policy_form(cabin, [("5", "100"), ("20", "50")]))
        assert worse.status_code == 422 and "Cancelar más cerca de la fecha no puede devolver más." in worse.text
        half = _post(client, f"/cabanas/{cabin.id}", _policy_form(cabin, [("20", "")]))
        assert half.status_code == 422 and "o vaciá los dos" in half.text
        assert list(booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id)).cancellation_rules) == []

        rows = [("20", "100 %"), ("5", "25"), ("", "")]
        saved = _post(client, f"/cabanas/{cabin.id}", _policy_form(cabin, rows, balance="arrival"))
        assert saved.status_code == 303, saved.text
        page = client.get(saved.headers["location"])
        sentence = describe([Rule(20, 100), Rule(5, 25)])
        assert sentence in page.text and 'value="20"' in page.text and 'value="25"' in page.text
        assert re.search(r'value="arrival" checked', page.text)

    after = _book(stack, cabin.id, start + timedelta(days=5))
    new, old = _public(stack, after), _public(stack, before)
    assert new["cancellation_rules"] == [{"days_before": 20, "percent": 100}, {"days_before": 5, "percent": 25}]
    assert new["cancellation_policy"] == sentence
    assert old["cancellation_policy"] == describe(DEFAULT_POLICY)  # booked before: its own rules stay


def test_a_paid_stay_cancelled_with_another_amount_is_refunded_at_mercado_pago(
    stack: Stack, console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)  # $50.000 a night: 2 nights $100.000, the deposit (30 %) $30.000
    start = local_today() + timedelta(days=10)
    held = _paid(stack, cabin.id, start, name="Marta Quiroga")
    code = held["code"]
    with signed_in(console, user()) as client:
        detail = client.get(f"/reservas/{code}").text
        assert "Pagado" in detail and "$30.000" in detail and "$70.000" in detail  # what is still due

        asked = client.get(f"/reservas/{code}/cancelar")
        assert asked.status_code == 200
        assert (
            "Faltan 10 días:" in asked.text and "la política devuelve el 50 % = <strong>$15.000</strong>" in asked.text
        )
        assert "Lo que dice la política ($15.000)" in asked.text and "Todo lo pagado ($30.000)" in asked.text

        unexplained = _post(client, f"/reservas/{code}/cancelar", {"devolucion": "amount", "monto": "12.345,50"})
        assert unexplained.status_code == 422 and "Contá por qué no aplicás la política" in unexplained.text
        too_much = _post(
            client, f"/reservas/{code}/cancelar", {"devolucion": "amount", "monto": "30.000,01", "motivo": "x"}
        )
        assert too_much.status_code == 422 and "No puede ser más de lo que pagó: $30.000." in too_much.text
        before = len(_refunds_at_mercadopago(stack))
        assert _public(stack, held)["status"] == "confirmed"  # nothing done while the form is wrong
        gone = _post(
            client, f"/reservas/{code}/cancelar", {"devolucion": "amount", "monto": "12.345,50", "motivo": "Acordamos"}
        )
        assert gone.status_code == 303 and gone.headers["location"].endswith("listo=cancelada"), gone.text
        made = _until("the refund at Mercado Pago", lambda: _refunds_at_mercadopago(stack)[before:])
        assert [r["body"] for r in made] == [{"amount": 12345.5}]
        shown = _until("the refund approved", lambda: (p := client.get(f"/reservas/{code}").text) * ("Devuelta" in p))
        assert "Devoluciones" in shown and "$12.345,50" in shown and "Acordamos" in shown
        public = _public(stack, held)
        assert public["status"] == "cancelled" and public["refund_mode"] == "amount"
        assert public["refund_amount"] == 1_234_550


def test_a_hold_never_paid_just_frees_its_dates(
    console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    held = hold(booking, cabin.id, local_today() + timedelta(days=30), local_today() + timedelta(days=32)).reservation
    with signed_in(console, user(accounts_pb2.ROLE_STAFF, "Sergio Staff")) as client:
        asked = client.get(f"/reservas/{held.code}/cancelar")
        assert asked.status_code == 200 and "No pagó nada: se liberan las fechas." in asked.text
        assert 'name="devolucion"' not in asked.text
        assert _post(client, f"/reservas/{held.code}/cancelar", {}).status_code == 303
    found = booking.GetReservation(booking_pb2.GetReservationRequest(code=held.code)).reservation
    assert found.status == common_pb2.RESERVATION_STATUS_CANCELLED


def test_a_duplicate_payment_is_given_back_after_confirming(
    stack: Stack,
    infra: Infra,
    console: str,
    user: UserMaker,
    booking: booking_pb2_grpc.BookingServiceStub,
    payments: payments_pb2_grpc.PaymentsServiceStub,
) -> None:
    cabin = make_cabin(booking)
    held = _paid(stack, cabin.id, local_today() + timedelta(days=45), name="Pedro Duplicado")
    code = held["code"]
    twice = fake_payment(infra, code, 10_000_000)  # the whole stay, paid again on top of the deposit
    assert notify(stack, twice).status_code == 200

    def flagged() -> bool:
        listed = payments.ListPayments(payments_pb2.ListPaymentsRequest(reservation_code=code)).payments
        return any(p.issue == payments_pb2.PAYMENT_ISSUE_DUPLICATE_PAYMENT for p in listed)

    _until("the duplicate flagged", flagged)
    with signed_in(console, user(accounts_pb2.ROLE_STAFF, "Sergio Staff")) as client:
        detail = client.get(f"/reservas/{code}").text
        assert "Pagó $30.000 de más." in detail and "Pago repetido" in detail and "Devolver $30.000…" in detail
        key = re.search(r'action="/reservas/[^"]+/devolver">.*?name="clave" value="([0-9a-f]+)"', detail, re.S)
        assert key
        before = len(_refunds_at_mercadopago(stack))
        confirm = _post(client, f"/reservas/{code}/devolver", {"clave": key.group(1)})
        assert confirm.status_code == 200 and "¿Devolver $30.000 a Pedro Duplicado?" in confirm.text
        assert len(_refunds_at_mercadopago(stack)) == before  # nothing given back before confirming
        stale = _post(client, f"/reservas/{code}/devolver", {"clave": key.group(1), "monto": "100", "confirmar": "1"})
        assert stale.status_code == 409 and "Confirmá de nuevo" in stale.text
        data = {"clave": key.group(1), "monto": "3000000", "confirmar": "1", "motivo": "Pagó de más"}
        done = _post(client, f"/reservas/{code}/devolver", data)
        assert done.status_code == 303 and "listo=devolucion" in done.headers["location"], done.text
        again = _post(client, f"/reservas/{code}/devolver", data)  # a double submit gives back once
        assert again.status_code == 409 and "No queda nada para devolver" in again.text
        shown = _until("refunded", lambda: (p := client.get(f"/reservas/{code}").text) * ("Devuelta" in p))
        assert "Devolver $30.000" not in shown and "Pagó $30.000 de más" not in shown
        made = _refunds_at_mercadopago(stack)[before:]
        assert {r["path"] for r in made} == {f"/v1/payments/{twice}/refunds"}
        assert len({r["key"] for r in made}) == 1 and made[0]["body"] == {"amount": 30000}


def test_viewers_and_staff_are_refused_what_is_not_theirs_and_forms_need_csrf(
    stack: Stack, console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    held = hold(booking, cabin.id, local_today() + timedelta(days=70), local_today() + timedelta(days=72)).reservation
    code = held.code
    refund = {"clave": "k", "monto": "1", "confirmar": "1", "motivo": "x"}
    cancel = {"devolucion": "full", "motivo": "x"}
    policy = _policy_form(cabin, [("1", "100")])
    with signed_in(console, user(accounts_pb2.ROLE_VIEWER, "Lidia Limpieza")) as viewer:
        assert viewer.get(f"/reservas/{code}").status_code == 403
        assert viewer.get(f"/reservas/{code}/cancelar").status_code == 403
        assert viewer.get(f"/cabanas/{cabin.id}").status_code == 403
        assert _post(viewer, f"/reservas/{code}/devolver", refund).status_code == 403
        assert _post(viewer, f"/reservas/{code}/cancelar", cancel).status_code == 403
        assert _post(viewer, f"/cabanas/{cabin.id}", policy).status_code == 403
        assert "$" not in viewer.get("/hoy").text.split("<main")[1]
    with signed_in(console, user(accounts_pb2.ROLE_STAFF, "Sergio Staff")) as staff:
        assert staff.get(f"/reservas/{code}/cancelar").status_code == 200
        assert staff.get(f"/cabanas/{cabin.id}").status_code == 403
        assert _post(staff, f"/cabanas/{cabin.id}", policy).status_code == 403
    with signed_in(console, user()) as owner:
        assert owner.post(f"/reservas/{code}/devolver", data=refund).status_code == 403
        assert owner.post(f"/reservas/{code}/cancelar", data=cancel).status_code == 403
        assert owner.post(f"/cabanas/{cabin.id}", data=policy).status_code == 403
    assert booking.GetReservation(booking_pb2.GetReservationRequest(code=code)).reservation == held
    assert list(booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id)).cancellation_rules) == []


def test_hoy_asks_the_owner_to_give_back_by_hand_what_was_paid_in_cash(
    console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    start = local_today() + timedelta(days=40)  # the default policy gives everything back
    held = hold(booking, cabin.id, start, start + timedelta(days=2)).reservation
    with signed_in(console, user()) as client:
        paid = _post(client, f"/reservas/{held.code}/pago", {"monto": "30.000", "metodo": "cash", "clave": "efectivo"})
        assert paid.status_code == 303, paid.text
        assert _post(client, f"/reservas/{held.code}/cancelar", {}).status_code == 303
        _until(
            "the refund by hand",
            lambda: "Devolver a mano (efectivo/transferencia)" in client.get(f"/reservas/{held.code}").text,
        )
        today = client.get("/hoy").text
        assert "Devolvele $30.000 a Ana Pérez a mano" in today and f"/reservas/{held.code}" in today

        [done] = re.findall(
            rf'action="(/reservas/{held.code}/devoluciones/\d+/hecha)"', client.get(f"/reservas/{held.code}").text
        )
        given = _post(client, done, {})
        assert given.status_code == 303 and given.headers["location"].endswith("?listo=devuelta#devoluciones")
        assert _post(client, done, {}).status_code == 303  # a second tap records nothing more
        page = client.get(f"/reservas/{held.code}?listo=devuelta").text
        assert "quedó registrado que lo devolviste" in page and "Devuelta a mano · lo registró Carla Dueña" in page
        assert "Ya lo devolví" not in page
        assert "Devolvele $30.000" not in client.get("/hoy").text
    with signed_in(console, user(accounts_pb2.ROLE_VIEWER)) as client:
        assert _post(client, done, {}).status_code == 403


# --- Chromium at 390 px -----------------------------------------------------------------------


async def test_the_owner_sees_the_money_on_a_phone(
    stack: Stack, console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    """The balance of a stay with its deposit paid, the cancellation's choice, the cabin's policy."""
    cabin = make_cabin(booking, name=f"Cabaña Los Arrayanes {datetime.now(UTC):%H%M%S%f}")
    start = local_today() + timedelta(days=10)
    held = _paid(stack, cabin.id, start, name="Marta Quiroga")
    async with phones(console) as browser:
        page = await browser.signed_in(user())
        await page.goto(f"{console}/reservas/{held['code']}")
        await page.get_by_label(re.compile("Link para pagar el saldo")).wait_for()
        await shot(page, "reserva-saldo")

        await page.get_by_role("link", name="Cancelar la reserva…").click()
        await page.get_by_text("la política devuelve el 50 %").wait_for()
        await page.get_by_label("Otro monto", exact=True).check()
        await page.get_by_label("Monto, si elegiste «Otro monto»").fill("20.000")
        await page.get_by_label(re.compile("^Motivo")).fill("Se enfermó: acordamos devolverle más")
        await shot(page, "reserva-cancelar-devolucion")
        await page.get_by_role("button", name="Sí, cancelar").click()
        await page.get_by_text("Cancelé la reserva").wait_for()
        await _reload_until(page, "#devoluciones")  # payments asks for the refund after the cancel's event
        await page.locator("#devoluciones").scroll_into_view_if_needed()
        await shot(page, "reserva-devoluciones")

        await page.goto(f"{console}/cabanas/{cabin.id}")
        await page.get_by_label("Regla 1: días de anticipación").fill("30")
        await page.get_by_label("Regla 1: porcentaje que devolvés").fill("100")
        await page.get_by_label("Regla 2: días de anticipación").fill("10")
        await page.get_by_label("Regla 2: porcentaje que devolvés").fill("50")
        await page.get_by_label("Al llegar, en la cabaña").check()
        await page.get_by_role("button", name="Guardar cambios").click()
        await page.get_by_text("Listo, guardé los cambios.").wait_for()
        await page.locator("#politica").scroll_into_view_if_needed()
        await shot(page, "cabana-politica")
    saved = booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id))
    assert [(r.days_before, r.percent) for r in saved.cancellation_rules] == [(30, 100), (10, 50)]
    assert saved.balance_on_arrival
