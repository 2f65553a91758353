"""The e-mail outbox over the running stack: e-mails queued in messaging's outbox reach the test
SMTP server (or are refused by it, or stay here as the sandbox), and the owner sees how each went
through the admin API (`GET /api/v1/admin/emails`) and the console's /correos; a viewer sees
neither. And the guest's `.ics` and the channels' export name a stay with one UID."""

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import icalendar
import pytest

from cabanas.v1 import accounts_pb2
from services.calendar.ical import Booked, render
from services.common.db import create_pool
from services.messaging.mail import guest_email, stay_ics
from services.messaging.mailer import queue_email
from tests.console_support import UserMaker, phones, shot, signed_in
from tests.stack import Infra, Stack, admin_token
from testsupport.smtp import NO_MAILBOX, REFUSED_DOMAIN

AUTH = {"Authorization": f"Bearer {admin_token()}"}
ZONE = "America/Argentina/Buenos_Aires"


def test_the_guests_event_and_the_channels_export_share_the_stays_uid() -> None:
    code = "RES270110QWERTY"
    export = render(
        "Bosque", [Booked(code, date(2027, 1, 10), date(2027, 1, 14), "confirmed", "whatsapp", datetime.now(UTC))]
    )
    guest = stay_ics(code, "Bosque", date(2027, 1, 10), date(2027, 1, 14), "15:00", "10:00", ZONE, "Ruta 40")
    [exported] = icalendar.Calendar.from_ical(export).events
    [emailed] = icalendar.Calendar.from_ical(guest).events
    assert str(emailed["UID"]) == str(exported["UID"]) == f"{code}@cabanas"


@dataclass(frozen=True)
class Outbox:
    """Three e-mails of this module: one the server took, one it refused, one kept here."""

    tag: str
    sent: str
    refused: str
    kept: str


async def _queue(infra: Infra, outbox: Outbox) -> None:
    """Straight into the stack's messaging outbox, as the notifications queue them."""
    ics = stay_ics(f"RES{outbox.tag}", "Bosque", date(2027, 2, 1), date(2027, 2, 3), "15:00", "10:00", ZONE, "")
    pool = await create_pool(infra.postgres.url, "messaging", max_size=1)
    try:
        async with pool.acquire() as conn:
            for to, sandbox, ics_or_none in (
                (outbox.sent, False, ics),
                (outbox.refused, False, None),
                (outbox.kept, True, None),
            ):
                email = guest_email(to, f"Tu reserva {outbox.tag}", "Cabaña del Bosque", "", ["Hola."], ics_or_none)
                await queue_email(conn, f"test:{outbox.tag}:{to}", email, sandbox)
    finally:
        await pool.close()


def _listed(**params: Any) -> list[dict[str, Any]]:
    reply = httpx.get(f"{params.pop('gateway')}/api/v1/admin/emails", params=params, headers=AUTH)
    assert reply.status_code == 200, reply.text
    return list(reply.json()["items"])


@pytest.fixture(scope="module")
async def outbox(stack: Stack, infra: Infra) -> Outbox:
    tag = uuid.uuid4().hex[:8]
    found = Outbox(tag, f"ana-{tag}@example.com", f"nadie-{tag}@{REFUSED_DOMAIN}", f"lu-{tag}@example.com")
    await _queue(infra, found)
    deadline = time.monotonic() + 20
    while True:  # the stack's mailer sends one, the server refuses the other
        mine = {e["to"]: e["status"] for e in _listed(gateway=stack.gateway_url, page_size=100) if tag in e["subject"]}
        if mine.get(found.sent) == "sent" and mine.get(found.refused) == "failed":
            return found
        assert time.monotonic() < deadline, f"the e-mails are still {mine}"
        await asyncio.sleep(0.1)


def test_what_the_mailer_sent_arrived_at_the_smtp_server(infra: Infra, outbox: Outbox) -> None:
    [arrived] = infra.smtp.to(outbox.sent)
    assert arrived["Subject"] == f"Tu reserva {outbox.tag}" and "Cabañas del Lago" in arrived["From"]
    assert [part.get_filename() for part in arrived.iter_attachments()] == ["reserva.ics"]
    assert infra.smtp.to(outbox.refused) == [] and infra.smtp.to(outbox.kept) == []


def test_the_admin_api_lists_the_emails_newest_first_with_how_each_went(stack: Stack, outbox: Outbox) -> None:
    everything = _listed(gateway=stack.gateway_url, page_size=100)
    mine = {e["to"]: e for e in everything if outbox.tag in e["subject"]}
    assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
    sent, refused, kept = mine[outbox.sent], mine[outbox.refused], mine[outbox.kept]
    assert (sent["status"], sent["attempts"], sent["error"], sent["attachments"]) == ("sent", 1, "", ["reserva.ics"])
    assert sent["sent_at"] and "Hola." in sent["text"]
    assert (refused["status"], refused["error"], refused["sent_at"]) == ("failed", NO_MAILBOX, None)
    assert (kept["status"], kept["attempts"]) == ("sandbox", 0)

    kept_only = _listed(gateway=stack.gateway_url, status="sandbox", page_size=100)
    assert {e["status"] for e in kept_only} == {"sandbox"} and outbox.kept in {e["to"] for e in kept_only}
    first = httpx.get(f"{stack.gateway_url}/api/v1/admin/emails", params={"page_size": 1}, headers=AUTH).json()
    second = httpx.get(
        f"{stack.gateway_url}/api/v1/admin/emails", params={"page_size": 1, "page": 2}, headers=AUTH
    ).json()
    assert first["more"] is True and len(first["items"]) == 1 and second["items"][0]["id"] < first["items"][0]["id"]
    wrong = httpx.get(f"{stack.gateway_url}/api/v1/admin/emails", params={"status": "bounced"}, headers=AUTH)
    assert wrong.status_code == 422


def test_a_viewer_token_may_not_read_the_emails(stack: Stack, viewer: dict[str, str]) -> None:
    refused = httpx.get(f"{stack.gateway_url}/api/v1/admin/emails", headers=viewer)
    assert refused.status_code == 403, refused.text


def test_owner_and_staff_see_each_email_and_how_it_went_in_spanish(
    console: str, user: UserMaker, outbox: Outbox
) -> None:
    for role in (accounts_pb2.ROLE_OWNER, accounts_pb2.ROLE_STAFF):
        with signed_in(console, user(role)) as session:
            assert 'href="/correos"' in session.get("/ajustes").text
            page = session.get("/correos")
            assert page.status_code == 200
            html = page.text
            assert f"Tu reserva {outbox.tag}" in html and f"Para {outbox.sent}" in html
            assert "Enviado" in html and "Adjunto: reserva.ics" in html
            assert f"Falló: {NO_MAILBOX}" in html
            assert "En el buzón local (sin SMTP)" in html
            assert session.get("/correos?desde=not-a-page").headers["location"] == "/correos"


def test_a_viewer_may_not_see_the_emails(console: str, user: UserMaker, outbox: Outbox) -> None:
    with signed_in(console, user(accounts_pb2.ROLE_VIEWER, "Lidia Limpieza")) as viewer:
        assert 'href="/correos"' not in viewer.get("/ajustes").text
        refused = viewer.get("/correos")
        assert refused.status_code == 403 and outbox.tag not in refused.text


@pytest.mark.browser
async def test_the_emails_fit_a_phone(console: str, user: UserMaker, outbox: Outbox) -> None:
    async with phones(console) as browser:
        page = await browser.signed_in(user(name="Carla Dueña"))
        await page.get_by_role("link", name="Ajustes").click()
        await page.get_by_role("link", name="Ver los correos").click()
        await page.get_by_role("heading", name="Correos").wait_for()
        await page.get_by_text(f"Falló: {NO_MAILBOX}").first.wait_for()
        await shot(page, "correos")
