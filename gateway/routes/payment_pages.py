"""Where Mercado Pago sends the guest back from its checkout: the preference's back_urls
(services/payments/links.py) `/pago/ok`, `/pago/pendiente` and `/pago/error`, with the
reservation's code in `external_reference`.

A short page in Spanish: what the checkout said, and the reservation's state as booking has it
now (the payment's notification may still be on its way). Never the guest's data: a code is not
a password. No script, readable at 390 px. An unknown code gets a neutral page (404)."""

import html
from dataclasses import dataclass

import grpc
from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from cabanas.v1 import booking_pb2
from gateway.deps import ClientsDep
from services.common import pb

router = APIRouter(prefix="/pago", tags=["payment pages"], include_in_schema=False)


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
<p class="state">{state}</p>
</main>
</body>
</html>
"""


@router.get("/ok", response_class=HTMLResponse)
async def paid(clients: ClientsDep, external_reference: str = "") -> HTMLResponse:
    return await _page(clients, OUTCOMES["ok"], external_reference)


@router.get("/pendiente", response_class=HTMLResponse)
async def pending(clients: ClientsDep, external_reference: str = "") -> HTMLResponse:
    return await _page(clients, OUTCOMES["pendiente"], external_reference)


@router.get("/error", response_class=HTMLResponse)
async def failed(clients: ClientsDep, external_reference: str = "") -> HTMLResponse:
    return await _page(clients, OUTCOMES["error"], external_reference)


async def _page(clients: ClientsDep, outcome: Outcome, code: str) -> HTMLResponse:
    status, state = await _state(clients, code)
    page = PAGE.format(title=html.escape(outcome.title), text=html.escape(outcome.text), state=html.escape(state))
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
