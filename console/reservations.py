"""What /reservas shows and what its forms mean: the list's filters, a reservation's payments and
history (who did what, by name), and the owner's forms (a payment received, new dates, a phone
booking) read from what a person typed. Transport-free: the pages convert the services' answers
to these dataclasses and call the services with what the parsers give back.

A parser returns its value and a dict of problems, field name -> a code the template words
("required", "invalid", "order", ...); no problems means the value is complete."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from console.present import parse_pesos
from services.common.cancellation import Rule

LISTED = ("pre_reserved", "confirmed", "cancelled", "expired")  # the list's statuses; blocks live on /calendario
METHODS = ("cash", "transfer")  # money received by hand
POLICIES = ("reprice", "keep", "override")  # how new dates are priced
REFUNDS = ("policy", "full", "amount", "none")  # what a cancellation gives back
MAX_REASON = 500  # characters of a cancellation's reason
MAX_SEARCH = 100  # booking's limit
MAX_GUESTS = 50
# A filter with one end open still needs a range: these bound a cabin business's whole history.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 1, 1)
USER = "user:"
ACTORS = {"guest": "El huésped", "system": "Sistema", "payments": "Mercado Pago"}
Problems = dict[str, str]
Form = Mapping[str, str]


def _date(form: Form, name: str, problems: Problems, required: bool = True) -> date | None:
    """An <input type="date"> value (YYYY-MM-DD)."""
    text = form.get(name, "").strip()
    if not text:
        if required:
            problems[name] = "required"
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems[name] = "invalid"
        return None


def stay_of(form: Form, problems: Problems, start: str = "desde", end: str = "hasta") -> tuple[date, date] | None:
    check_in, check_out = _date(form, start, problems), _date(form, end, problems)
    if check_in is None or check_out is None:
        return None
    if check_out <= check_in:
        problems[end] = "order"
        return None
    return check_in, check_out


def _amount(form: Form, name: str, problems: Problems, required: bool) -> int | None:
    """Pesos as a person types them, in centavos; more than zero."""
    text = form.get(name, "").strip()
    if not text:
        if required:
            problems[name] = "required"
        return None
    try:
        amount = parse_pesos(text)
    except ValueError:
        problems[name] = "invalid"
        return None
    if amount <= 0:
        problems[name] = "zero"
        return None
    return amount


def _number(form: Form, name: str, problems: Problems, low: int, high: int) -> int:
    text = form.get(name, "").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        problems[name] = "required" if not text else "invalid"
        return 0
    return int(text)


def phone_e164(text: str) -> str:
    """A phone as people write it ("+54 9 11 5555-5555", "0054 911...") in E.164, which booking
    checks; "" stays "" (the phone is optional)."""
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("00"):
        digits = digits[2:]
    return "+" + digits.lstrip("+") if digits else ""


# The list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None  # the last day that counts, included
    cabin_id: int = 0
    status: str = ""  # one of LISTED; "" = any of them
    search: str = ""  # in the code, the guest's name or phone

    @property
    def overlapping(self) -> tuple[date, date] | None:
        """The stays that touch a day in [since, until]: a half-open range of nights."""
        if self.since is None and self.until is None:
            return None
        return self.since or EARLIEST, date.fromordinal((self.until or LATEST).toordinal() + 1)

    @property
    def statuses(self) -> tuple[str, ...]:
        return (self.status,) if self.status else LISTED


def filters_of(form: Form) -> tuple[Filters, Problems]:
    problems: Problems = {}
    since, until = _date(form, "desde", problems, False), _date(form, "hasta", problems, False)
    if since and until and until < since:
        problems["hasta"] = "order"
    cabin = form.get("cabana", "").strip()
    if cabin and not cabin.isdigit():
        problems["cabana"] = "invalid"
    status = form.get("estado", "").strip()
    if status and status not in LISTED:
        problems["estado"] = "invalid"
    search = " ".join(form.get("buscar", "").split())
    if len(search) > MAX_SEARCH:
        problems["buscar"] = "long"
    if problems:
        return Filters(), problems
    return Filters(since, until, int(cabin or 0), status, search), problems


@dataclass(frozen=True)
class Row:
    """A reservation in the list."""

    code: str
    guest: str
    phone: str
    cabin: str
    check_in: date
    check_out: date
    nights: int
    status: str  # pre_reserved, confirmed, cancelled, expired, blocked
    total_minor: int


# One reservation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Night:
    day: date
    price_minor: int
    season: str
    weekend: bool


@dataclass(frozen=True)
class Detail:
    """One reservation, everything the page shows of it."""

    code: str
    status: str  # pre_reserved, confirmed, cancelled, expired, blocked
    channel: str  # whatsapp, web, admin, ical
    cabin: str
    check_in: date
    check_out: date
    nights: int
    guests: int
    guest: str
    phone: str
    email: str
    total_minor: int
    deposit_minor: int
    breakdown: list[Night]
    expires_at: datetime | None
    source: str = ""  # a block's calendar ("owner" for the owner's)
    reason: str = ""  # an owner block's
    rules: tuple[Rule, ...] = ()  # the cancellation policy it was booked with (none: the default)
    balance_on_arrival: bool = False  # the balance is paid at the cabin, not through a link

    @property
    def open(self) -> bool:
        """A hold or a confirmed stay: it can take payments, move, be cancelled."""
        return self.status in ("pre_reserved", "confirmed")


@dataclass(frozen=True)
class Paid:
    """A payment as the page lists it."""

    at: datetime | None
    method: str  # "mercado_pago", "cash", "transfer"
    status: str  # "approved", "pending", "refunded", ...
    amount_minor: int
    by: str  # who recorded it, by name; "" for Mercado Pago's
    note: str
    issue: str = ""  # "duplicate_payment", "refunded_outside", "refund_failed", "charged_back", ...; "" none
    refunded_minor: int = 0  # how much of it went back


@dataclass(frozen=True)
class Entry:
    """One history entry as booking gives it."""

    at: datetime | None
    actor: str
    action: str
    text: str = ""
    data: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """One history entry as the page tells it."""

    at: datetime | None
    who: str
    action: str  # created, confirmed, cancelled, expired, dates_changed, note, blocked, unblocked
    text: str
    moved_from: tuple[date, date] | None = None  # dates_changed
    moved_to: tuple[date, date] | None = None
    total_before_minor: int | None = None
    total_minor: int | None = None


def user_ids(actors: Iterable[str]) -> set[int]:
    """The console users among `actors` ("user:<id>"), whose names the page looks up."""
    return {int(a.removeprefix(USER)) for a in actors if a.startswith(USER) and a.removeprefix(USER).isdigit()}


def who(actor: str, names: Mapping[int, str]) -> str:
    """An actor by name: a console user's, the admin's login, or the guest, the system, Mercado Pago."""
    if actor.startswith(USER) and actor.removeprefix(USER).isdigit():
        return names.get(int(actor.removeprefix(USER)), "") or "Alguien del equipo"
    if actor.startswith("admin:"):
        return actor.removeprefix("admin:")
    return ACTORS.get(actor, actor)


def _range(text: str) -> tuple[date, date] | None:
    """ "2026-12-05/2026-12-08", as booking's history writes a stay."""
    try:
        start, end = text.split("/")
        return date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return None


def _minor(text: str) -> int | None:
    return int(text) if text.lstrip("-").isdigit() else None


def events_of(entries: Iterable[Entry], names: Mapping[int, str]) -> list[Event]:
    return [
        Event(
            at=entry.at,
            who=who(entry.actor, names),
            action=entry.action,
            text=entry.text,
            moved_from=_range(entry.data.get("from", "")),
            moved_to=_range(entry.data.get("to", "")),
            total_before_minor=_minor(entry.data.get("total_before", "")),
            total_minor=_minor(entry.data.get("total", "")),
        )
        for entry in entries
    ]


@dataclass(frozen=True)
class Refund:
    """Money given back of one payment, as the page lists it."""

    id: int
    amount_minor: int
    status: str  # "requested", "approved", "rejected", "failed", "by_hand"
    at: datetime | None
    by: str  # who asked, by name
    reason: str
    error: str  # the last one, for people
    settled_by: str = ""  # who recorded it given back by hand, by name

    @property
    def by_hand(self) -> bool:
        """A person has to give it back (cash, a transfer, or Mercado Pago would not) and say so."""
        return self.status in ("by_hand", "rejected", "failed")


@dataclass(frozen=True)
class Balance:
    """A reservation's money as payments counts it."""

    total_minor: int
    paid_minor: int  # approved payments, before refunds
    refunded_minor: int
    due_minor: int  # still to pay; 0 once cancelled
    overpaid_minor: int
    payment_url: str  # the balance's checkout link, when collected online and something is due
    days_before: int  # if cancelled now: days to check-in,
    percent: int  # the policy's percentage then,
    policy_refund_minor: int  # and what it gives back
    refunds: list[Refund] = field(default_factory=list)

    @property
    def kept_minor(self) -> int:
        """What the guest paid and still has not got back."""
        return max(0, self.paid_minor - self.refunded_minor)

    def refundable_minor(self, status: str) -> int:
        """What the owner may give back outside a cancellation, less refunds already on their way
        (asked of Mercado Pago, or the owner's to give by hand): what an active stay got beyond its
        total, everything a stay that never happened kept (a hold paid after it expired). A
        cancelled stay's refund was its cancellation's."""
        asked = sum(r.amount_minor for r in self.refunds if r.status in ("requested", "by_hand"))
        owed = {"pre_reserved": self.overpaid_minor, "confirmed": self.overpaid_minor, "expired": self.kept_minor}
        return max(0, owed.get(status, 0) - asked)


# The owner's forms -------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """Money received by hand."""

    amount_minor: int
    method: str  # one of METHODS
    note: str


def received_of(form: Form, note: str = "nota") -> tuple[Received | None, Problems]:
    """`note`: the field of the payment's note (a new booking's "nota" is the booking's)."""
    problems: Problems = {}
    amount = _amount(form, "monto", problems, required=True)
    method = form.get("metodo", "")
    if method not in METHODS:
        problems["metodo"] = "required"
    if problems or amount is None:
        return None, problems
    return Received(amount, method, form.get(note, "").strip()), problems


@dataclass(frozen=True)
class Move:
    """New dates for a stay, and how to price them."""

    check_in: date
    check_out: date
    policy: str  # one of POLICIES
    total_minor: int | None  # the owner's total, for "override"


def move_of(form: Form) -> tuple[Move | None, Problems]:
    problems: Problems = {}
    stay = stay_of(form, problems)
    policy = form.get("precio", "reprice")
    if policy not in POLICIES:
        problems["precio"] = "invalid"
    total = _amount(form, "total", problems, required=True) if policy == "override" else None
    if problems or stay is None:
        return None, problems
    return Move(*stay, policy, total), problems


@dataclass(frozen=True)
class NewBooking:
    """A booking taken by phone or in person, and what the guest paid already."""

    cabin_id: int
    check_in: date
    check_out: date
    guests: int
    name: str
    phone: str  # E.164 or ""
    email: str
    price_minor: int | None  # the total agreed; None = the cabin's price
    note: str
    paid: Received | None  # what the guest paid already, if anything


def new_booking_of(form: Form) -> tuple[NewBooking | None, Problems]:
    problems: Problems = {}
    cabin = _number(form, "cabana", problems, 1, 2**62)
    stay = stay_of(form, problems)
    guests = _number(form, "huespedes", problems, 1, MAX_GUESTS)
    name = " ".join(form.get("nombre", "").split())
    if not name:
        problems["nombre"] = "required"
    price = _amount(form, "precio", problems, required=False)
    paid = None
    if form.get("monto", "").strip():  # an amount typed: paid already
        paid, more = received_of(form, note="nota_pago")
        problems.update(more)
    if problems or stay is None:
        return None, problems
    return NewBooking(
        cabin_id=cabin,
        check_in=stay[0],
        check_out=stay[1],
        guests=guests,
        name=name,
        phone=phone_e164(form.get("telefono", "")),
        email=form.get("email", "").strip(),
        price_minor=price,
        note=form.get("nota", "").strip(),
        paid=paid,
    ), problems


@dataclass(frozen=True)
class RefundChoice:
    """What a cancellation by the owner gives back, and why."""

    mode: str  # one of REFUNDS
    amount_minor: int | None  # for "amount"
    reason: str


def refund_of(form: Form, kept_minor: int) -> tuple[RefundChoice | None, Problems]:
    """The cancel form's choice; `kept_minor` is what the guest paid and has not got back, the most
    "Otro monto" may give. Anything but the policy needs a reason (booking records it)."""
    problems: Problems = {}
    mode = form.get("devolucion", "policy")
    if mode not in REFUNDS:
        problems["devolucion"] = "invalid"
    amount = _amount(form, "monto", problems, required=True) if mode == "amount" else None
    if amount is not None and amount > kept_minor:
        problems["monto"] = "more"
    reason = " ".join(form.get("motivo", "").split())
    if len(reason) > MAX_REASON:
        problems["motivo"] = "long"
    elif not reason and mode != "policy":
        problems["motivo"] = "required"
    if problems:
        return None, problems
    return RefundChoice(mode, amount, reason), problems
