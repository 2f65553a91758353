"""The conversation: one reply per guest message, asking for exactly the one
missing thing (dates, nights, guests), then offering free cabins, holding the
chosen one and sending the payment link; answering questions from the cabin's
own data on the way.

Nothing irreversible on a guess: cancelling always asks first, naming the
reservation, and only an explicit yes (a tap on «Sí, cancelar», or "sí" to that
question) cancels. Questions and negations are answered, never executed.
What the bot asked last (`awaiting`) is given to the understanding, so "4",
"hasta el 8", "la del bosque" or "dale" are read as answers to it; only booking
facts and answers are merged into the stay being built, never side remarks.

Money is told as payments sees it (`Backend.balance`): before the yes to cancelling, what
cancelling today gives back; after it, that the refund is on its way; on a confirmed stay, what
is left after the deposit. Payments silent: the policy's sentence instead, never a guessed sum.

`respond` is transport-free: booking and payments are reached through a
`ports.Backend`, and the state is a small dict the caller keeps (Redis, 24 h).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.common import cancellation
from services.messaging import interactive as ui
from services.messaging import nlu
from services.messaging import templates as t
from services.messaging.ports import Backend, Balance, Cabin, Held, Refused
from services.messaging.whatsapp import Inbound

GUEST_ZONE = ZoneInfo("America/Argentina/Buenos_Aires")
ACTIVE = ("pre_reserved", "confirmed")
# Intents that say nothing about the stay being built: their slots are not merged ("¿tiene
# cuna para el bebé?" is a question, not a party of one).
NOT_ABOUT_THE_STAY = {"cancel", "my_reservations", "paid", "pay", "human", "thanks", "deny", "help", "info"}
# The questions of a booking in progress: an answer, or a question asked meanwhile, goes back to it.
BOOKING_QUESTIONS = {"dates", "nights", "guests", "choice"}
LONGER_STAYS = 7  # extra nights tried when a stay is below a minimum, to propose the shortest that works
# Topics answered from an Accommodation field of their own; the rest from the owner's GuestInfo.
FAQ_FIELD = {"address": "directions"}


@dataclass
class Turn:
    replies: list[ui.Outgoing]
    state: dict[str, Any]
    handoff: bool = False
    opted_out: bool | None = None  # the guest asked not to be written (True) or to be again (False)


@dataclass
class _Context:
    """One turn's inputs, passed along instead of five arguments."""

    msg: Inbound
    state: dict[str, Any]
    backend: Backend
    cabins: list[Cabin] = field(default_factory=list)


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _name(msg: Inbound) -> str:
    """The guest's profile name with its spaces tidied; "" when it is only spaces (of any Unicode kind)."""
    return " ".join(msg.name.split())


def _say(state: dict[str, Any], text: str, *, handoff: bool = False) -> Turn:
    return Turn([ui.text(text)], state, handoff)


def _ask(state: dict[str, Any], text: str, about: str) -> Turn:
    """A yes/no question: "sí"/"dale" next does `about` (see _YES), "no" lets it go."""
    state.update(awaiting="yes_no", asked=about)
    return _say(state, text)


def _held_buttons(code: str, body: str) -> ui.Outgoing:
    return ui.buttons(body, [(f"pay:{code}", "Pagar"), ("dates", "Cambiar fechas"), (f"cancel:{code}", "Cancelar")])


async def respond(msg: Inbound, state: dict[str, Any], backend: Backend, today: date) -> Turn:
    ctx = _Context(msg, dict(state), backend)
    if msg.type == "reaction":
        return Turn([], ctx.state)
    if not msg.reply_id and not msg.text.strip():
        return _say(ctx.state, t.UNSUPPORTED)
    ctx.cabins = await backend.cabins()
    if msg.reply_id:
        return await _tapped(ctx, msg.reply_id)
    expecting = nlu.Expecting(ctx.state.get("awaiting") or "", _d(ctx.state.get("check_in")))
    parsed = await nlu.parse_off_loop(msg.text, today, {c.slug: c.name for c in ctx.cabins}, expecting)
    return await _understood(ctx, parsed)


async def _tapped(ctx: _Context, choice: str) -> Turn:
    """A button or list row: its id says what to do."""
    action, _, arg = choice.partition(":")
    match action:
        case "cabin":
            return await _hold(ctx, int(arg)) if arg.isdigit() else await _next_step(ctx)
        case "pay":
            return await _send_link(ctx, arg)
        case "cancel" | "which":
            return await _ask_cancel(ctx, arg)
        case "confirm_cancel":
            return await _cancel(ctx, arg)
        case "keep":
            ctx.state.update(awaiting=None, pending_cancel=None)
            return _say(ctx.state, t.KEPT)
        case "menu" if arg == "human":
            return _say(ctx.state, t.HANDOFF, handoff=True)
        case "dates" | "menu":
            return await _change_dates(ctx, None)
    return await _next_step(ctx)


async def _understood(ctx: _Context, parsed: nlu.Parse) -> Turn:
    state = ctx.state
    awaiting = state.get("awaiting")
    if awaiting == "cancel_confirm":
        if parsed.intent == "affirm" or (parsed.intent == "cancel" and not parsed.negated and not parsed.question):
            return await _cancel(ctx, state.get("pending_cancel") or "")
        if parsed.intent == "deny" or (parsed.intent == "cancel" and parsed.negated):
            state.update(awaiting=None, pending_cancel=None)
            return _say(state, t.KEPT)
    naming = awaiting == "which_reservation" and parsed.intent == "cancel" and not parsed.negated
    if naming and (chosen := _pick(await _active(ctx), parsed, ctx.cabins)):  # "la del lago", "la de enero"
        return await _ask_cancel(ctx, chosen.code)
    if awaiting == "yes_no" and parsed.intent in ("affirm", "deny"):
        about = state.pop("asked", None)
        state["awaiting"] = None
        if parsed.intent == "deny":
            return _say(state, t.OK_NO)
        return await _YES.get(about or "", _continue)(ctx)
    if parsed.intent not in NOT_ABOUT_THE_STAY:
        _merge(state, parsed)
    state["unknowns"] = state.get("unknowns", 0) + 1 if parsed.intent == "unknown" else 0
    return await _by_intent(ctx, parsed)


async def _by_intent(ctx: _Context, parsed: nlu.Parse) -> Turn:
    state = ctx.state
    match parsed.intent:
        case "human":
            return _say(state, t.HANDOFF, handoff=True)
        case "cancel":
            if parsed.negated:
                return _say(state, t.NOT_CANCELLING)
            if parsed.question:  # "¿se puede cancelar?": a question about the policy, not a request
                return await _info(ctx, ("cancellation_policy",), parsed)
            return await _ask_cancel(ctx, "")
        case "my_reservations":
            return await _reservations(ctx)
        case "paid":
            return await _paid(ctx)
        case "pay":
            return await _send_link(ctx, "")
        case "change_dates":
            return await _change_dates(ctx, parsed)
        case "thanks":
            return _say(state, t.THANKS)
        case "help":
            return _say(state, t.HELP)
        case "deny":
            return _say(state, t.OK_NO)
        case "info":
            return await _info(ctx, parsed.topics, parsed)
        case "greeting":
            if _building(state):  # a mid-booking "hola" does not start over
                return _prefaced(t.WELCOME_BACK, await _next_step(ctx))
            first = _name(ctx.msg).partition(" ")[0]
            return _say(state, t.WELCOME.format(name=f", {first}" if first else ""))
        case "unknown":
            return _not_understood(state)
        case "affirm":
            return await _continue(ctx) if _building(state) else _not_understood(state)
    if parsed.month and not parsed.check_in and not state.get("check_in"):
        state["awaiting"] = "dates"  # "nos vemos en marzo": no days invented from a month
        return _say(state, t.ASK_MONTH_DAYS.format(month=t.MONTH_NAMES[parsed.month - 1]))
    turn = await _next_step(ctx, reserving=parsed.intent == "reserve")
    answers = _answers(ctx, parsed.topics)  # "del 5 al 8, ¿aceptan perros?": both in one reply
    return _prefaced(answers, turn) if answers else turn


def _not_understood(state: dict[str, Any]) -> Turn:
    """Buttons for the way out; "sí" to it means availability."""
    options = [("menu:dates", "Ver disponibilidad"), ("menu:human", "Hablar con alguien")]
    if not _building(state):
        state.update(awaiting="yes_no", asked="availability")
    return Turn([ui.buttons(t.UNKNOWN, options)], state)


def _building(state: dict[str, Any]) -> bool:
    """A booking in progress: the bot asked one of its questions and no hold closed it yet."""
    return state.get("awaiting") in BOOKING_QUESTIONS


def _prefaced(line: str, turn: Turn) -> Turn:
    if turn.replies:
        turn.replies[0] = ui.with_preface(turn.replies[0], line)
    return turn


def _corrected(state: dict[str, Any], parsed: nlu.Parse) -> bool:
    """ "no, el 14 no, el 15": the stay's date on the 14th moves to the 15th of its own month,
    the other end kept while it still makes a stay. False when no date of the stay was taken back."""
    new = parsed.check_in or parsed.check_out
    if not (parsed.rejected and new):
        return False
    for slot in ("check_in", "check_out"):
        current = _d(state.get(slot))
        if current and current.day == parsed.rejected.day:
            try:
                state[slot] = current.replace(day=new.day).isoformat()
            except ValueError:  # the 31st of a shorter month: read the date as said
                state[slot] = new.isoformat()
            start, end = _d(state.get("check_in")), _d(state.get("check_out"))
            if start and end and end <= start:
                state["check_out"] = None
            state["nights"] = (end - start).days if start and end and end > start else None
            return True
    return False


def _merge(state: dict[str, Any], parsed: nlu.Parse) -> None:
    """The stay's facts the message gave: dates, nights, party, cabin."""
    check_in, check_out = parsed.check_in, parsed.check_out
    if _corrected(state, parsed):
        check_in = check_out = None
    if check_in:
        nights = state.get("nights") if not check_out and not parsed.nights else None
        state.update(check_in=check_in.isoformat(), check_out=None, nights=nights)
    if check_out:
        start = _d(state.get("check_in"))
        if start is None or check_out > start:
            state["check_out"] = check_out.isoformat()
    if parsed.nights:
        state["nights"] = parsed.nights
    start, nights = _d(state.get("check_in")), state.get("nights")
    if start and nights and not check_out:
        state["check_out"] = (start + timedelta(days=nights)).isoformat()
    if parsed.guests:
        state["guests"] = parsed.guests
    if parsed.accommodation:
        state["cabin"] = parsed.accommodation


async def _continue(ctx: _Context) -> Turn:
    return await _next_step(ctx)


async def _other_dates(ctx: _Context) -> Turn:
    ctx.state.update(check_in=None, check_out=None, nights=None, awaiting="dates")
    return _say(ctx.state, t.ASK_DATES)


async def _take_proposal(ctx: _Context) -> Turn:
    """ "sí" to "¿del 5 al 8 te sirve?"."""
    start, end = ctx.state.pop("proposal", None) or (None, None)
    if start and end:
        ctx.state.update(check_in=start, check_out=end, nights=None)
    return await _next_step(ctx)


async def _human(ctx: _Context) -> Turn:
    return _say(ctx.state, t.HANDOFF, handoff=True)


# What "sí" does after each yes/no question (state["asked"]).
_YES: dict[str, Callable[[_Context], Awaitable[Turn]]] = {
    "availability": _continue,
    "other_dates": _other_dates,
    "other_options": _continue,
    "proposal": _take_proposal,
    "human": _human,
}


async def _next_step(ctx: _Context, reserving: bool = False) -> Turn:
    """Ask the one missing thing, or offer the free cabins; a guest who asked to
    reserve a named cabin that is free gets it held straight away."""
    state = ctx.state
    check_in, check_out = _d(state.get("check_in")), _d(state.get("check_out"))
    if check_in is None:
        state["awaiting"] = "dates"
        if check_out:
            return _say(state, t.ASK_ARRIVAL.format(check_out=t.long_day(check_out)))
        return _say(state, t.ASK_DATES)
    if check_out is None:
        state["awaiting"] = "nights"
        return _say(state, t.ASK_NIGHTS.format(check_in=t.long_day(check_in)))
    guests = state.get("guests")
    if not guests:
        state["awaiting"] = "guests"
        return _say(state, t.ASK_GUESTS)
    state["awaiting"] = "choice"
    try:
        found = await ctx.backend.offers(check_in, check_out, guests)
    except Refused as exc:  # a stay no cabin could take: in the past, too far, ...
        state.update(check_in=None, check_out=None, nights=None, awaiting="dates")
        return _say(state, t.INVALID.format(reason=str(exc)))
    if not found.free:
        return await _why_not(ctx, check_in, check_out, guests, found.reasons)
    named = next((o for o in found.free if o.cabin.slug == state.get("cabin")), None)
    if named is not None and reserving:
        return await _hold(ctx, named.cabin.id)
    rows = [
        (
            f"cabin:{o.cabin.id}",
            o.cabin.name,
            f"hasta {t.count(o.cabin.capacity, 'persona', 'personas')} · {t.money(o.total_minor, o.currency)} total",
        )
        for o in found.free
    ]
    head = t.OPTIONS.format(stay=t.stay(check_in, check_out).capitalize(), party=t.party(check_in, check_out, guests))
    if state.get("cabin") and named is None and reserving:
        cabin = next((c for c in ctx.cabins if c.slug == state["cabin"]), None)
        if cabin is not None:
            head = t.NOT_FREE.format(cabin=t.the(cabin.name).capitalize(), stay=t.stay(check_in, check_out))
    return Turn([ui.rows(head, "Ver cabañas", rows)], state)


async def _why_not(ctx: _Context, check_in: date, check_out: date, guests: int, reasons: frozenset[str]) -> Turn:
    """No cabin free: say the real reason and keep what was right."""
    state = ctx.state
    if reasons == {"CAPACITY_EXCEEDED"}:
        state.update(guests=None, awaiting="guests")
        biggest = max((c.capacity for c in ctx.cabins), default=0)
        people = t.count(guests, "persona", "personas")
        return _say(state, t.TOO_MANY.format(guests=people, capacity=t.count(biggest, "persona", "personas")))
    if "MIN_NIGHTS" in reasons:
        for extra in range(1, LONGER_STAYS + 1):
            longer = check_out + timedelta(days=extra)
            try:
                if (await ctx.backend.offers(check_in, longer, guests)).free:
                    state["proposal"] = (check_in.isoformat(), longer.isoformat())
                    minimum = t.count((longer - check_in).days, "noche", "noches")
                    return _ask(
                        state, t.MIN_NIGHTS.format(minimum=minimum, proposal=t.stay(check_in, longer)), "proposal"
                    )
            except Refused:
                break
    stay, people = t.stay(check_in, check_out), t.party(check_in, check_out, guests)
    return _ask(state, t.NONE_FREE.format(stay=stay, party=people), "other_dates")


async def _hold(ctx: _Context, cabin_id: int) -> Turn:
    state, msg = ctx.state, ctx.msg
    check_in, check_out, guests = _d(state.get("check_in")), _d(state.get("check_out")), state.get("guests")
    if not (check_in and check_out and guests):
        return await _next_step(ctx)
    try:
        held = await ctx.backend.hold(cabin_id, check_in, check_out, guests, msg.phone, _name(msg), f"wa:{msg.wamid}")
    except Refused as exc:
        if exc.reason == "DATES_UNAVAILABLE":
            return _ask(state, t.TAKEN, "other_options")
        return _say(state, t.INVALID.format(reason=str(exc)))
    url = await ctx.backend.payment_link(held.code)
    cabin = next((c for c in ctx.cabins if c.id == cabin_id), None)
    state.update(held=held.code, awaiting=None, cabin=cabin and cabin.slug)  # later questions are about this cabin
    body = t.HELD.format(
        cabin=t.the(held.cabin),
        stay=t.stay(held.check_in, held.check_out),
        party=t.party(held.check_in, held.check_out, held.guests),
        total=t.money(held.total_minor, held.currency),
        deposit=t.money(held.deposit_minor, held.currency),
        payment=t.PAY_LINK.format(url=url) if url else t.PAY_LATER,
    )
    if held.expires_at:
        body += "\n" + t.HELD_UNTIL.format(until=held.expires_at.astimezone(GUEST_ZONE).strftime("%H:%M"))
    # Told before paying: the rules the reservation copied (the cabin's, for a booking that copied none).
    body += "\n" + cancellation.describe(held.cancellation_rules or (cabin.cancellation_rules if cabin else ()))
    return Turn([_held_buttons(held.code, body)], state)


async def _active(ctx: _Context) -> list[Held]:
    """The guest's reservations still standing, newest first."""
    mine = [r for r in await ctx.backend.reservations(ctx.msg.phone) if r.status in ACTIVE]
    return sorted(mine, key=lambda r: (r.created_at is not None, r.created_at), reverse=True)


def _pick(mine: list[Held], parsed: nlu.Parse, cabins: list[Cabin]) -> Held | None:
    """The one reservation the guest's words name (by cabin, arrival day or month); None if not one."""
    cabin = next((c.name for c in cabins if c.slug == parsed.accommodation), None)
    named = [
        r
        for r in mine
        if (cabin is None or r.cabin == cabin)
        and (parsed.check_in is None or r.check_in == parsed.check_in)
        and (parsed.month is None or r.check_in.month == parsed.month)
    ]
    said = cabin or parsed.check_in or parsed.month
    return named[0] if said and len(named) == 1 else None


def _describe(r: Held) -> tuple[str, str]:
    return r.cabin, t.stay(r.check_in, r.check_out)


async def _ask_cancel(ctx: _Context, code: str) -> Turn:
    """Which reservation, then "¿Cancelo…?" with Sí / No: never a cancel on a guess."""
    state, mine = ctx.state, await _active(ctx)
    chosen = next((r for r in mine if r.code == code), None)
    if chosen is None and not code and len(mine) == 1:
        chosen = mine[0]
    if chosen is None and len(mine) > 1:
        state["awaiting"] = "which_reservation"
        rows = [(f"which:{r.code}", r.cabin, f"{r.code} · {t.stay(r.check_in, r.check_out)}") for r in mine]
        return Turn([ui.rows(t.ASK_WHICH, "Ver reservas", rows)], state)
    if chosen is None:
        return _say(state, t.NOTHING_TO_CANCEL)
    state.update(awaiting="cancel_confirm", pending_cancel=chosen.code)
    cabin, stay = _describe(chosen)
    body = t.ASK_CANCEL.format(code=chosen.code, cabin=cabin, stay=stay)
    money = await ctx.backend.balance(chosen.code)
    # Payments silent: the policy instead of an amount it could not give.
    line = _refund_now(money) if money else _faq_of(ctx, chosen.cabin, "cancellation_policy")
    if line:
        body += f"\n{line}"
    options = [(f"confirm_cancel:{chosen.code}", "Sí, cancelar"), (f"keep:{chosen.code}", "No")]
    return Turn([ui.buttons(body, options)], state)


def _refund_now(money: Balance) -> str:
    """What cancelling today gives back, in a line."""
    if not money.paid_minor:
        return t.NOTHING_PAID
    refund = t.money(money.refund_now_minor, money.currency)
    if not money.refund_now_minor:
        return t.NO_REFUND_NOW.format(
            until=t.until_arrival(money.days_before), paid=t.money(money.paid_minor, money.currency)
        )
    if money.refund_percent == 100:
        return t.REFUND_ALL_NOW.format(refund=refund)
    return t.REFUND_NOW.format(refund=refund, percent=money.refund_percent)


async def _cancel(ctx: _Context, code: str) -> Turn:
    """The guest said yes to cancelling `code`: cancel it if it still stands, and say what goes back."""
    state = ctx.state
    state.update(awaiting=None, pending_cancel=None)
    chosen = next((r for r in await _active(ctx) if r.code == code), None)
    if chosen is None:
        return _say(state, t.NOTHING_TO_CANCEL)
    money = await ctx.backend.balance(chosen.code)  # the quote as it stands right before cancelling
    await ctx.backend.cancel(chosen.code)
    if state.get("held") == chosen.code:
        state.pop("held")
    cabin, stay = _describe(chosen)
    said = t.CANCELLED.format(code=chosen.code, cabin=cabin, stay=stay)
    if money and money.refund_now_minor:
        said += "\n" + t.REFUND_ON_ITS_WAY.format(refund=t.money(money.refund_now_minor, money.currency))
    return _say(state, said)


async def _change_dates(ctx: _Context, parsed: nlu.Parse | None) -> Turn:
    """New dates: the hold on the old ones is released (it would block them for nothing)."""
    state, released = ctx.state, ""
    held = next((r for r in await _active(ctx) if r.code == state.get("held")), None)
    if held is not None and held.status == "confirmed":
        return _say(state, t.CONFIRMED_NO_CHANGE.format(code=held.code), handoff=True)
    if held is not None:
        await ctx.backend.cancel(held.code)
        released = t.RELEASED.format(code=held.code)
    state.pop("held", None)
    state.update(check_in=None, check_out=None, nights=None)
    if parsed is not None:
        _merge(state, parsed)
    turn = await _next_step(ctx)
    return _prefaced(released, turn) if released else turn


async def _send_link(ctx: _Context, code: str) -> Turn:
    """The payment link of `code`, or of the guest's newest hold ("no me llegó el link")."""
    holds = [r for r in await _active(ctx) if r.status == "pre_reserved"]
    chosen = next((r for r in holds if r.code == (code or ctx.state.get("held"))), holds[0] if holds else None)
    if chosen is None:
        return _say(ctx.state, t.NOTHING_TO_PAY)
    url = await ctx.backend.payment_link(chosen.code)
    return _say(ctx.state, t.PAY_LINK.format(url=url) if url else t.PAY_LATER)


async def _paid(ctx: _Context) -> Turn:
    """ "ya pagué": what the reservation and its payment say, the link again only when nothing came."""
    mine = await _active(ctx)
    chosen = next((r for r in mine if r.code == ctx.state.get("held")), mine[0] if mine else None)
    if chosen is None:
        return _say(ctx.state, t.NOTHING_TO_PAY)
    cabin, stay = _describe(chosen)
    if chosen.status == "confirmed":
        said = t.PAID_CONFIRMED.format(code=chosen.code, cabin=cabin, stay=stay)
        money = await ctx.backend.balance(chosen.code)
        return _say(ctx.state, f"{said}\n{_still_due(chosen, money)}" if money else said)
    status = await ctx.backend.payment_status(chosen.code)
    if status in ("pending", "in_process", "authorized", "approved"):  # approved: booking confirms in a moment
        return _say(ctx.state, t.PAID_PENDING.format(code=chosen.code))
    url = await ctx.backend.payment_link(chosen.code)
    link = t.PAY_LINK.format(url=url) if url else t.PAY_LATER
    if status == "rejected":
        return _say(ctx.state, t.PAID_REJECTED.format(code=chosen.code, link=link))
    return _say(ctx.state, t.PAID_NOTHING.format(code=chosen.code, link=link[0].lower() + link[1:]))


def _still_due(r: Held, money: Balance) -> str:
    """What is left to pay of a confirmed stay, and how."""
    if not money.due_minor:
        return t.PAID_UP
    due = t.money(money.due_minor, money.currency)
    if money.payment_url:
        return t.BALANCE_ONLINE.format(due=due, url=money.payment_url)
    return (t.BALANCE_ON_ARRIVAL if r.balance_on_arrival else t.BALANCE_LATER).format(due=due)


async def _reservations(ctx: _Context) -> Turn:
    mine = await _active(ctx)
    if not mine:
        return _say(ctx.state, t.NO_RESERVATIONS)
    status = {"pre_reserved": "esperando el pago de la seña", "confirmed": "confirmada"}
    lines = "\n".join(f"• {r.code}: {r.cabin}, {t.stay(r.check_in, r.check_out)} ({status[r.status]})" for r in mine)
    return _say(ctx.state, t.MY_RESERVATIONS.format(lines=lines))


# Info questions, answered from the cabins' data.


def _about(ctx: _Context, parsed: nlu.Parse | None = None) -> list[Cabin]:
    """The cabins a question is about: the one named or being booked, else all of them."""
    slug = (parsed.accommodation if parsed else None) or ctx.state.get("cabin")
    named = [c for c in ctx.cabins if c.slug == slug]
    return named or ctx.cabins


def _faq_of(ctx: _Context, cabin_name: str, topic: str) -> str:
    cabin = next((c for c in ctx.cabins if c.name == cabin_name), None)
    return _answer(cabin, topic) if cabin else ""


def _answer(cabin: Cabin, topic: str) -> str:
    """What the cabin's data says about `topic`; "" when nobody wrote it."""
    if topic in ("check_in_time", "check_out_time"):
        if cabin.check_in_time and cabin.check_out_time:
            return t.TIMES.format(check_in=cabin.check_in_time, check_out=cabin.check_out_time)
        return ""
    if topic == "deposit":
        return t.DEPOSIT.format(percent=cabin.deposit_percent) if cabin.deposit_percent else ""
    if topic == "payment_methods":
        return cabin.faq.get("payment_methods") or t.HOW_TO_PAY
    if topic == "cancellation_policy":  # the owner's words, else the rules they set (or the default's)
        return cabin.faq.get("cancellation_policy") or cancellation.describe(cabin.cancellation_rules)
    if topic == "address":
        where = ", ".join(p for p in (cabin.address, cabin.city) if p)
        parts = [where + "." if where else "", cabin.faq.get("directions", "")]
        parts.append(t.MAPS.format(url=cabin.maps_url) if cabin.maps_url else "")
        return " ".join(p for p in parts if p)
    return cabin.faq.get(FAQ_FIELD.get(topic, topic), "")


def _topic_answers(cabins: list[Cabin], topic: str) -> str:
    """One line when every cabin says the same, else one per cabin; "" when none says anything."""
    said = [(c, _answer(c, topic)) for c in cabins]
    said = [(c, a) for c, a in said if a]
    if not said:
        return ""
    if len({a for _, a in said}) == 1 and len(said) == len(cabins):
        return said[0][1]
    return "\n".join(f"• {c.name}: {a}" for c, a in said)


def _answers(ctx: _Context, topics: tuple[str, ...]) -> str:
    return "\n".join(a for a in (_topic_answers(_about(ctx), topic) for topic in dict.fromkeys(topics)) if a)


async def _info(ctx: _Context, topics: tuple[str, ...], parsed: nlu.Parse) -> Turn:
    state, cabins = ctx.state, _about(ctx, parsed)
    if not topics:  # "¿qué tienen?": the cabins in a line each
        lines = [
            f"• {c.name}: hasta {t.count(c.capacity, 'persona', 'personas')} · {', '.join(c.amenities[:5])}"
            for c in cabins
        ]
        return _ask(state, t.INFO.format(cabins="\n".join(lines)), "availability")
    answered = {topic: _topic_answers(cabins, topic) for topic in dict.fromkeys(topics)}
    known = "\n".join(a for a in answered.values() if a)
    missing = [t.TOPIC_LABELS.get(topic, topic) for topic, a in answered.items() if not a]
    if missing:  # nobody wrote it: a person answers instead of a guess
        line = t.UNANSWERED.format(topics=", ".join(missing))
        return _say(state, f"{known}\n{line}" if known else line, handoff=True)
    if _building(state):
        return _prefaced(known, await _next_step(ctx))
    return _ask(state, f"{known}\n{t.OFFER_AVAILABILITY}", "availability")
