"""The guest's way to the checkout and back.

`/pagar/{code}/{signature}`: the hold's payment link as we hand it out (`pay_link`), stable and
short. The first visit has payments make the Checkout Pro preference (kept there: every later
visit gets the same one) and redirects to it, so making a hold never waits for Mercado Pago. The
signature (an HMAC of the code under SERVICE_TOKEN_SECRET) keeps the checkout, which may show the
guest's email, from whoever merely knows or guesses a code.

`/pago/ok`, `/pago/pendiente` and `/pago/error`: where Mercado Pago sends the guest back (the
preference's back_urls, services/payments/links.py), with the reservation's code in
`external_reference`. A short page in Spanish: what the checkout said, and the reservation's
state as booking has it now (the payment's notification may still be on its way).

Never the guest's data: a code is not a password. No script, readable at 390 px. An unknown code
or a wrong signature gets a neutral page (404)."""

import base64
import hashlib
import hmac
import html
import logging
from dataclasses import dataclass

import grpc
from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cabanas.v1 import booking_pb2, payments_pb2
from gateway.deps import ClientsDep, SettingsDep
from services.common import pb
from services.common.grpc_clients import error_info
from services.common.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["payment pages"], include_in_schema=False)


@dataclass(frozen=True)
class Outcome:
    title: str
    text: str


OUTCOMES = {
    "ok": Outcome("¡Gracias por tu pago!", "Mercado Pago aprobó el pago de la seña."),
    "pendiente": Outcome(
        "Tu pago está pendiente", "Mercado Pago todavía lo está procesando: te avisamos cuando se acredite."
    ),
    "error": Outcome(
        "El pago no se completó", "No se hizo ningún cargo. Podés volver a intentarlo desde el link de pago."
    ),
}
STATES = {
    "pre_reserved": "Reservada, esperando la confirmación del pago.",
    "confirmed": "Confirmada. ¡Te esperamos!",
    "cancelled": "Cancelada.",
    "expired": "Vencida: el plazo para pagar terminó. Si pagaste, escribinos y lo resolvemos.",
}
UNKNOWN = "No encontramos la reserva de este pago. Si pagaste, escribinos por WhatsApp con el comprobante."
UNREACHABLE = "No pudimos consultar tu reserva en este momento. Probá recargar la página en unos minutos."
MAX_CODE = 40  # our codes are 15 characters; anything much longer is not one
SIGNATURE_BYTES = 12  # 96 bits: 16 characters in the link
LINK_SECONDS = 10.0  # payments (and Mercado Pago behind it) making the preference
BAD_LINK = Outcome("No encontramos este link", "Revisá que esté completo, o pedinos uno nuevo por WhatsApp.")
NOT_PAYABLE = Outcome(
    "Esta reserva ya no espera un pago", "El link de pago sirve mientras la reserva está esperando la seña."
)
NO_CHECKOUT = Outcome(
    "No pudimos abrir el pago", "Mercado Pago no respondió. Probá de nuevo en unos minutos: tu reserva sigue en pie."
)

PAGE = """<!doctype html>
<html lang="es-AR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; padding: 1.5rem; color: #222; line-height: 1.5; }}
main {{ max-width: 28rem; margin: 0 auto; }}
h1 {{ font-size: 1.4rem; }}
.state {{ border-left: 4px solid #2a7; padding: .5rem 1rem; background: #f4f8f5; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{text}</p>
{state}
</main>
</body>
</html>
"""


def _signature(settings: Settings, code: str) -> str:
    secret = settings.service_token_secret.get_secret_value() if settings.service_token_secret else ""
    digest = hmac.new(secret.encode(), f"pagar:{code}".encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode()


def pay_link(settings: Settings, code: str) -> str:
    """The hold's payment link: ours, stable, redirecting to the checkout (see the module)."""
    return f"{settings.public_base_url.rstrip('/')}/pagar/{code}/{_signature(settings, code)}"


@router.get("/pagar/{link:path}", response_class=HTMLResponse)
async def checkout(link: str, clients: ClientsDep, settings: SettingsDep) -> Response:
    """To the hold's checkout, made on the first visit (payments keeps it). `link` is the code and
    its signature; a link cut short in a chat gets the same neutral page as a forged one."""
    code, _, signature = link.partition("/")
    if not (len(code) <= MAX_CODE and hmac.compare_digest(signature.encode(), _signature(settings, code).encode())):
        return _html(BAD_LINK, "", 404)
    request = payments_pb2.CreatePaymentLinkRequest(reservation_code=code)
    try:
        made = await clients.payments.CreatePaymentLink(request, timeout=LINK_SECONDS)
    except grpc.aio.AioRpcError as exc:
        info = error_info(exc)
        if info is not None and info.reason == "NOT_PAYABLE":
            return await _page(clients, NOT_PAYABLE, code)
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            return _html(BAD_LINK, "", 404)
        log.warning("no checkout for %s: %s %s", code, exc.code().name, exc.details())
        return _html(NO_CHECKOUT, "", 503)
    return RedirectResponse(made.init_point, status_code=303, headers={"Cache-Control": "no-store"})


@router.get("/pago/ok", response_class=HTMLResponse)
async def paid(clients: ClientsDep, external_reference: str = "") -> HTMLResponse:
    return await _page(clients, OUTCOMES["ok"], external_reference)


@router.get("/pago/pendiente", response_class=HTMLResponse)
async def pending(clients: ClientsDep, external_reference: str = "") -> HTMLResponse:
    return await _page(clients, OUTCOMES["pendiente"], external_reference)


@router.get("/pago/error", response_class=HTMLResponse)
async def failed(clients: ClientsDep, external_reference: str = "") -> HTMLResponse:
    return await _page(clients, OUTCOMES["error"], external_reference)


async def _page(clients: ClientsDep, outcome: Outcome, code: str) -> HTMLResponse:
    status, state = await _state(clients, code)
    return _html(outcome, state, status)


def _html(outcome: Outcome, state: str, status: int) -> HTMLResponse:
    said = f'<p class="state">{html.escape(state)}</p>' if state else ""
    page = PAGE.format(title=html.escape(outcome.title), text=html.escape(outcome.text), state=said)
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})


async def _state(clients: ClientsDep, code: str) -> tuple[int, str]:
    """(HTTP status, the sentence on the reservation's state) for the code Mercado Pago sent back."""
    if not (0 < len(code) <= MAX_CODE and code.isascii() and code.isalnum()):
        return 404, UNKNOWN
    try:
        reply = await clients.booking.GetReservation(booking_pb2.GetReservationRequest(code=code))
    except grpc.aio.AioRpcError as exc:
        return (404, UNKNOWN) if exc.code() == grpc.StatusCode.NOT_FOUND else (503, UNREACHABLE)
    state = STATES.get(pb.RESERVATION_STATUS_NAMES.get(reply.reservation.status, ""))
    return (200, f"Reserva {reply.reservation.code}: {state}") if state else (404, UNKNOWN)
