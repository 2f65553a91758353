"""The team's alerts through the real flow: a deposit paid at the Mercado Pago fake, a guest asking
for a person on the signed WhatsApp webhook, a stay paid twice, a guest's cancel with the manage
token, a chargeback at Mercado Pago → booking's and payments' events →
messaging → the owner's WhatsApp at the Graph fake (the approved template: the owner never wrote
to our number), and e-mail at the session's SMTP server for a user without a phone."""

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import grpc
import httpx
import pytest

from cabanas.v1 import accounts_pb2, accounts_pb2_grpc, booking_pb2_grpc
from services.booking.tests.helpers import make_cabin
from tests.console_support import PASSWORD
from tests.stack import Infra, Stack, admin_token
from tests.test_messaging import post, wait_for
from tests.test_payments import checkout, fake_payment, notify, reserve
from testsupport.whatsapp import envelope, text

A = accounts_pb2


@dataclass(frozen=True)
class Team:
    owner_phone: str  # digits, as WhatsApp writes it
    staff_email: str  # no phone: their WhatsApp alerts come by e-mail


def _user(accounts: accounts_pb2_grpc.AccountsServiceStub, role: A.Role, phone: str, alerts: list[A.Alert]) -> str:
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    request = A.CreateUserRequest(email=email, name="Carla Dueña", phone=phone, role=role, password=PASSWORD)
    created = accounts.CreateUser(request)
    chosen = A.User(notifications=A.NotificationPreferences(whatsapp=alerts))
    accounts.UpdateUser(A.UpdateUserRequest(id=created.id, user=chosen, update_mask={"paths": ["notifications"]}))
    return email


@pytest.fixture(scope="module")
def team(stack: Stack) -> Iterator[Team]:
    phone = "549" + str(uuid.uuid4().int)[:10]
    with grpc.insecure_channel(stack.addr("accounts")) as channel:
        accounts = accounts_pb2_grpc.AccountsServiceStub(channel)
        everything = [
            A.ALERT_NEW_BOOKING,
            A.ALERT_GUEST_WAITING,
            A.ALERT_DUPLICATE_PAYMENT,
            A.ALERT_GUEST_CANCELLED,
            A.ALERT_CHARGEBACK,
        ]
        _user(accounts, A.ROLE_OWNER, f"+{phone}", everything)
        staff = _user(accounts, A.ROLE_STAFF, "", [A.ALERT_NEW_BOOKING])
        yield Team(phone, staff)


def alerts_to(infra: Infra, phone: str, *words: str) -> list[str]:
    """The alerts' summaries that reached `phone` (the template's parameter) naming all of `words`."""
    said = [
        m["template"]["components"][0]["parameters"][0]["text"]
        for m in infra.graph.to(phone)
        if m["type"] == "template" and m["template"]["name"] == "aviso_equipo"
    ]
    return [s for s in said if all(w in s for w in words)]


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    return part.get_content() if part else ""


def test_a_confirmed_booking_reaches_the_owner_on_whatsapp_and_staff_by_email(
    stack: Stack, infra: Infra, team: Team, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    held = reserve(stack, cabin.id, 50, 53)
    assert "Pago aprobado" in httpx.post(f"{checkout(held)}/pay").text
    [said] = wait_for(lambda: alerts_to(infra, team.owner_phone, held["code"]), what="the owner's alert")
    paid = f"{held['deposit'] // 100:,}".replace(",", ".")
    assert f"Nueva reserva {held['code']} en {cabin.name}" in said and f"Ana Pérez, pagó ${paid}." in said
    emails = wait_for(
        lambda: [m for m in infra.smtp.to(team.staff_email) if held["code"] in body(m)], what="the staff's e-mail"
    )
    assert len(emails) == 1


def test_a_guest_asking_for_a_person_alerts_the_owner_once(stack: Stack, infra: Infra, team: Team) -> None:
    guest = "549" + str(uuid.uuid4().int)[:10]
    assert post(stack, envelope(text(guest, "quiero hablar con una persona"), name="Lucía Gómez")).status_code == 200
    wait_for(lambda: alerts_to(infra, team.owner_phone, guest), what="the waiting alert")
    assert post(stack, envelope(text(guest, "¿hay alguien?"), name="Lucía Gómez")).status_code == 200
    time.sleep(3)  # six alert batches: still waiting, so nothing new
    [said] = alerts_to(infra, team.owner_phone, guest)
    assert f"Lucía Gómez (+{guest}) espera que le respondas: «quiero hablar con una persona»" in said
    assert f"{stack.env.get('CONSOLE_BASE_URL', 'http://localhost:8001')}/mensajes" in said


def test_a_stay_paid_twice_alerts_the_owner(
    stack: Stack, infra: Infra, team: Team, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    held = reserve(stack, make_cabin(booking).id, 56, 58)
    for _ in range(2):  # the whole stay paid twice: the second payment is a duplicate to refund
        assert notify(stack, fake_payment(infra, held["code"], held["total"])).status_code == 200
    [said] = wait_for(lambda: alerts_to(infra, team.owner_phone, held["code"], "dos veces"), what="the duplicate")
    total = f"{held['total'] // 100:,}".replace(",", ".")
    assert f"La reserva {held['code']} de Ana Pérez se pagó dos veces: hay ${total} de más para devolver." in said


def test_a_guest_who_cancels_and_a_chargeback_alert_the_owner(
    stack: Stack, infra: Infra, team: Team, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cancelled, disputed = (reserve(stack, make_cabin(booking).id, start, start + 2) for start in (60, 64))
    for held in (cancelled, disputed):
        assert "Pago aprobado" in httpx.post(f"{checkout(held)}/pay").text
        wait_for(lambda h=held: alerts_to(infra, team.owner_phone, h["code"], "Nueva reserva"), what="confirmed")
    url = f"{stack.gateway_url}/api/v1/reservations/{cancelled['code']}/cancel"
    assert httpx.post(url, headers={"X-Manage-Token": cancelled["manage_token"]}).status_code == 200
    [said] = wait_for(lambda: alerts_to(infra, team.owner_phone, cancelled["code"], "canceló"), what="the cancel")
    assert f"Ana Pérez canceló la reserva {cancelled['code']}" in said  # maybe batched with others

    payments = httpx.get(
        f"{stack.gateway_url}/api/v1/admin/reservations/{disputed['code']}/payments",
        headers={"Authorization": f"Bearer {admin_token()}"},
    ).json()
    changed = httpx.post(
        f"{infra.mercadopago_url}/_control/payments/{payments[0]['external_id']}",
        json={"status": "charged_back", "notify_url": f"{stack.gateway_url}/api/v1/webhooks/mercadopago"},
    )
    assert changed.status_code == 200, changed.text
    [said] = wait_for(lambda: alerts_to(infra, team.owner_phone, disputed["code"], "desconoció"), what="chargeback")
    paid = f"{disputed['deposit'] // 100:,}".replace(",", ".")
    assert f"Ana Pérez desconoció con su tarjeta un pago de ${paid} de la reserva {disputed['code']}." in said
