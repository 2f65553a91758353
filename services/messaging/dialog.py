"""The conversation: one reply per guest message, asking for exactly the one
missing thing (dates, nights, guests), then offering free cabins, holding the
chosen one and sending the payment link.

`respond` is transport-free: booking and payments are reached through a
`ports.Backend`, and the state is a small dict the caller keeps (Redis, 24 h).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.messaging import interactive as ui
from services.messaging import nlu
from services.messaging import templates as t
from services.messaging.ports import Backend, Refused
from services.messaging.whatsapp import Inbound

GUEST_ZONE = ZoneInfo("America/Argentina/Buenos_Aires")


@dataclass
class Turn:
    replies: list[ui.Outgoing]
    state: dict[str, Any]
    handoff: bool = False


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _name(msg: Inbound) -> str:
    """The guest's profile name with its spaces tidied; "" when it is only spaces (of any Unicode kind)."""
    return " ".join(msg.name.split())


def _held_buttons(code: str, body: str) -> ui.Outgoing:
    return ui.buttons(body, [(f"pay:{code}", "Pagar"), ("dates", "Cambiar fechas"), (f"cancel:{code}", "Cancelar")])


async def respond(msg: Inbound, state: dict[str, Any], backend: Backend, today: date) -> Turn:
    state = dict(state)
    choice = msg.reply_id
    if choice.startswith("cabin:"):
        return await _hold(msg, state, backend, int(choice.split(":", 1)[1]))
    if choice.startswith("pay:"):
        url = await backend.payment_link(choice.split(":", 1)[1])
        return Turn([ui.text(t.PAY_LINK.format(url=url) if url else t.PAY_LATER)], state)
    if choice.startswith("cancel:"):
        return await _cancel(state, backend, msg.phone, choice.split(":", 1)[1])
    if choice == "menu:human":
        return Turn([ui.text(t.HANDOFF)], state, handoff=True)
    if choice in ("dates", "menu:dates"):
        state.update(check_in=None, check_out=None, nights=None, awaiting="dates")
        return Turn([ui.text(t.ASK_DATES)], state)
    if msg.type == "reaction":
        return Turn([], state)
    if not msg.text.strip():
        return Turn([ui.text(t.UNSUPPORTED)], state)

    cabins = await backend.cabins()
    parsed = await nlu.parse_off_loop(msg.text, today, {c.slug: c.name for c in cabins})
    clean = nlu.normalize(msg.text)
    if state.get("awaiting") in ("guests", "nights") and clean.isdigit():  # a bare answer: "4"
        parsed = nlu.Parse(
            "availability",
            guests=int(clean) if state["awaiting"] == "guests" else None,
            nights=int(clean) if state["awaiting"] == "nights" else None,
        )
    _merge(state, parsed)
    match parsed.intent:
        case "human":
            return Turn([ui.text(t.HANDOFF)], state, handoff=True)
        case "cancel":
            return await _cancel(state, backend, msg.phone, state.get("held"))
        case "my_reservations":
            return await _reservations(state, backend, msg.phone)
        case "pay":
            if state.get("held"):
                url = await backend.payment_link(state["held"])
                return Turn([ui.text(t.PAY_LINK.format(url=url) if url else t.PAY_LATER)], state)
            return Turn([ui.text(t.ASK_DATES)], state)
        case "thanks":
            return Turn([ui.text(t.THANKS)], state)
        case "help":
            return Turn([ui.text(t.HELP)], state)
        case "info":
            lines = [f"• {c.name}: hasta {c.capacity} pers. · {', '.join(c.amenities[:5])}" for c in cabins]
            return Turn([ui.text(t.INFO.format(cabins="\n".join(lines)))], state)
        case "greeting":
            first = _name(msg).partition(" ")[0]
            return Turn([ui.text(t.WELCOME.format(name=f", {first}" if first else ""))], state)
        case "unknown":
            state["unknowns"] = state.get("unknowns", 0) + 1
            if state["unknowns"] >= 2:  # help instead of looping: offer a person
                return Turn(
                    [
                        ui.buttons(
                            t.UNKNOWN, [("menu:dates", "Ver disponibilidad"), ("menu:human", "Hablar con alguien")]
                        )
                    ],
                    state,
                )
            return Turn([ui.text(t.UNKNOWN)], state)
    return await _next_step(state, backend, msg if parsed.intent == "reserve" else None)


def _merge(state: dict[str, Any], parsed: nlu.Parse) -> None:
    if parsed.check_in:
        state.update(check_in=parsed.check_in.isoformat(), check_out=None, nights=None)
    if parsed.check_out:
        state["check_out"] = parsed.check_out.isoformat()
    if parsed.nights:
        state["nights"] = parsed.nights
        if state.get("check_in") and not parsed.check_out:
            state["check_out"] = (date.fromisoformat(state["check_in"]) + timedelta(days=parsed.nights)).isoformat()
    if parsed.guests:
        state["guests"] = parsed.guests
    if parsed.accommodation:
        state["cabin"] = parsed.accommodation
    state["unknowns"] = 0 if parsed.intent != "unknown" else state.get("unknowns", 0)


async def _next_step(state: dict[str, Any], backend: Backend, reserving: Inbound | None = None) -> Turn:
    """Ask the one missing thing, or offer the free cabins; a guest who asked to
    reserve a named cabin that is free gets it held straight away."""
    check_in, check_out = _d(state.get("check_in")), _d(state.get("check_out"))
    if check_in is None:
        state["awaiting"] = "dates"
        return Turn([ui.text(t.ASK_DATES)], state)
    if check_out is None:
        state["awaiting"] = "nights"
        return Turn([ui.text(t.ASK_NIGHTS.format(check_in=t.day(check_in)))], state)
    if not state.get("guests"):
        state["awaiting"] = "guests"
        return Turn([ui.text(t.ASK_GUESTS)], state)
    state["awaiting"] = "choice"
    guests = state["guests"]
    try:
        offers = await backend.offers(check_in, check_out, guests)
    except Refused as exc:
        state.update(check_in=None, check_out=None, awaiting="dates")
        return Turn([ui.text(t.INVALID.format(reason=str(exc)))], state)
    fmt = {"check_in": t.day(check_in), "check_out": t.day(check_out), "guests": guests}
    if not offers:
        return Turn([ui.text(t.NONE_FREE.format(**fmt))], state)
    named = next((o for o in offers if o.cabin.slug == state.get("cabin")), None)
    if reserving is not None and named is not None:
        return await _hold(reserving, state, backend, named.cabin.id)
    nights = (check_out - check_in).days
    rows = [
        (f"cabin:{o.cabin.id}", o.cabin.name, f"{o.cabin.capacity} pers · {t.money(o.total_minor, o.currency)} total")
        for o in offers
    ]
    return Turn([ui.rows(t.OPTIONS.format(nights=nights, **fmt), "Ver cabañas", rows)], state)


async def _hold(msg: Inbound, state: dict[str, Any], backend: Backend, cabin_id: int) -> Turn:
    check_in, check_out, guests = _d(state.get("check_in")), _d(state.get("check_out")), state.get("guests")
    if not (check_in and check_out and guests):
        return await _next_step(state, backend)
    try:
        held = await backend.hold(cabin_id, check_in, check_out, guests, msg.phone, _name(msg), f"wa:{msg.wamid}")
    except Refused as exc:
        text = t.TAKEN if exc.reason == "DATES_UNAVAILABLE" else t.INVALID.format(reason=str(exc))
        return Turn([ui.text(text)], state)
    url = await backend.payment_link(held.code)
    state.update(held=held.code, awaiting=None)
    until = held.expires_at.astimezone(GUEST_ZONE).strftime("%H:%M") if held.expires_at else "—"
    body = t.HELD.format(
        cabin=held.cabin,
        check_in=t.day(held.check_in),
        check_out=t.day(held.check_out),
        nights=(held.check_out - held.check_in).days,
        guests=held.guests,
        total=t.money(held.total_minor, held.currency),
        deposit=t.money(held.deposit_minor, held.currency),
        payment=t.PAY_LINK.format(url=url) if url else t.PAY_LATER,
        until=until,
    )
    return Turn([_held_buttons(held.code, body)], state)


async def _cancel(state: dict[str, Any], backend: Backend, phone: str, code: str | None) -> Turn:
    mine = {r.code for r in await backend.reservations(phone) if r.status in ("pre_reserved", "confirmed")}
    code = code if code in mine else (sorted(mine)[-1] if mine and not code else None)
    if not code:
        return Turn([ui.text(t.NOTHING_TO_CANCEL)], state)
    await backend.cancel(code)
    state.pop("held", None)
    return Turn([ui.text(t.CANCELLED.format(code=code))], state)


async def _reservations(state: dict[str, Any], backend: Backend, phone: str) -> Turn:
    mine = [r for r in await backend.reservations(phone) if r.status in ("pre_reserved", "confirmed")]
    if not mine:
        return Turn([ui.text(t.NO_RESERVATIONS)], state)
    status = {"pre_reserved": "esperando el pago", "confirmed": "confirmada"}
    lines = "\n".join(
        f"• {r.code}: {r.cabin}, {t.day(r.check_in)} → {t.day(r.check_out)} ({status[r.status]})" for r in mine
    )
    return Turn([ui.text(t.MY_RESERVATIONS.format(lines=lines))], state)
