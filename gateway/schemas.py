"""Request and response bodies of the public and admin REST API (field names are the contract)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from services.common.cancellation import MAX_DAYS, MAX_RULES

Phone = Annotated[str, StringConstraints(pattern=r"^\+[1-9]\d{7,14}$")]  # E.164
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$", max_length=254)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
_ZONES = available_timezones()


def _known_zone(value: str) -> str:
    if value not in _ZONES:
        raise ValueError("an IANA time zone, e.g. America/Argentina/Buenos_Aires")
    return value


TimeZone = Annotated[str, StringConstraints(max_length=60), AfterValidator(_known_zone)]
Status = Literal["pre_reserved", "confirmed", "cancelled", "expired", "blocked"]
MAX_ID = 2**63 - 1  # ids are int64 in the contracts: a larger number cannot even be sent
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdFilter = Annotated[int, Query(ge=0, le=MAX_ID, description="0: any")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="allow")  # `fields` (validation errors), `details` (the service's ErrorInfo)

    code: str = Field(description="The service's reason (e.g. dates_unavailable) or the status' name")
    message: str


class ErrorOut(BaseModel):
    """Every error: `{"error": {"code", "message"}}`."""

    error: ErrorBody


_ERRORS = {
    400: "The body cannot be read",
    401: "No admin token, or not a valid one",
    403: "Not allowed",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "The body is too large",
    422: "The request is not valid",
    502: "A service failed to answer",
    503: "A service is not available",
    504: "A service did not answer in time",
}


Responses = dict[int | str, dict[str, Any]]  # a route's OpenAPI `responses=`


def errors(*statuses: int, described: dict[int, str] | None = None) -> Responses:
    """OpenAPI `responses=` for these error statuses (and the `described` ones, in a route's own
    words: which codes it answers), all with the error envelope."""
    texts = {status: _ERRORS[status] for status in statuses} | (described or {})
    return {status: {"model": ErrorOut, "description": text} for status, text in texts.items()}


UPSTREAM = (422, 502, 503, 504)  # any route that calls a service: its INVALID_ARGUMENT, outages, deadlines


class NightOut(BaseModel):
    date: date
    price: int
    season: str
    weekend: bool


class QuoteOut(BaseModel):
    total: int = Field(description="Minor units")
    deposit: int = Field(description="Minor units")
    currency: str
    nights: int
    deposit_percent: int
    breakdown: list[NightOut]


class Season(Strict):
    name: Name
    start: date
    end: date
    nightly_price: int | None = Field(None, ge=0, le=10**12, description="Minor units")
    multiplier_percent: int | None = Field(None, gt=0, le=1000)
    min_nights: int = Field(0, ge=0, le=60)


class Location(Strict):
    address: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    province: str = Field("", max_length=100)
    latitude: float = Field(0, ge=-90, le=90)
    longitude: float = Field(0, ge=-180, le=180)
    maps_url: str = Field("", max_length=500)


Answer = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class GuestInfo(Strict):
    """The owner's answers to guests' frequent questions, each a short text the bot tells as
    written; "" = not written, and the bot hands that question to a person."""

    pets: Answer = ""
    wifi: Answer = ""
    parking: Answer = ""
    linen: Answer = Field("", description="Ropa de cama y toallas")
    grill: Answer = Field("", description="Parrilla, asado")
    heating: Answer = Field("", description="Calefacción y aire acondicionado")
    pool: Answer = ""
    children: Answer = Field("", description="Chicos y bebés, cunas")
    directions: Answer = Field("", description="Cómo llegar")
    distance_to_town: Answer = ""
    house_rules: Answer = ""
    cancellation_policy: Answer = ""
    payment_methods: Answer = Field("", description="Cómo pagar")


class GuestMessages(Strict):
    """The owner's words in the guest's journey (check-in instructions, check-out reminder, review
    request, confirmation); "" = the default wording, or nothing."""

    keys: Answer = Field("", description="Cómo se retiran las llaves")
    arrival_note: Answer = Field("", description="Algo más para la llegada, con las instrucciones")
    departure_note: Answer = Field("", description="Qué dejar y cómo, la noche antes de irse")
    review_url: Annotated[str, StringConstraints(pattern=r"^(https?://\S+)?$", max_length=500)] = Field(
        "", description="Dónde dejar una reseña; sin él no se pide"
    )
    confirmed_note: Answer = Field("", description="Se dice con la confirmación de la reserva")


class CancellationRule(Strict):
    """Cancelled at least `days_before` days before check-in (in the cabin's time zone): `percent` %
    of what was paid goes back. Fewer days may not give back more (`invalid_policy`)."""

    days_before: int = Field(ge=0, le=MAX_DAYS)
    percent: int = Field(ge=0, le=100)


Rules = Annotated[list[CancellationRule], Field(max_length=MAX_RULES)]


class AccommodationOut(BaseModel):
    id: int
    slug: str
    name: str
    type: str
    description: str
    capacity: int
    nightly_price: int = Field(description="Base price per night, minor units")
    currency: str
    weekend_multiplier_percent: int
    weekend_nights: list[int]
    seasons: list[Season]
    min_nights: int
    max_nights: int
    deposit_percent: int
    time_zone: str
    check_in_time: str
    check_out_time: str
    amenities: list[str]
    photos: list[str]
    location: Location
    guest_info: GuestInfo
    guest_messages: GuestMessages | None = Field(
        None, description="The admin API's answers only: how to get the keys is for the cabin's guests"
    )
    cancellation_rules: list[CancellationRule] = Field(description="The cabin's own, most days first; [] = the default")
    cancellation_policy: str = Field(description="The policy that applies, in a sentence for guests (es-AR)")
    balance_on_arrival: bool = Field(description="The balance after the deposit is paid at the cabin")
    active: bool


class AccommodationIn(Strict):
    name: Name
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)] | None = None
    type: str = Field("cabana", max_length=40)
    description: str = Field("", max_length=4000)
    capacity: int = Field(ge=1, le=50)
    nightly_price: int = Field(ge=0, le=10**12, description="Minor units")
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "ARS"
    weekend_multiplier_percent: int = Field(100, gt=0, le=1000)
    weekend_nights: list[Annotated[int, Field(ge=1, le=7)]] = [5, 6]
    seasons: list[Season] = Field(default_factory=list, max_length=50)
    min_nights: int = Field(1, ge=1, le=60)
    max_nights: int = Field(30, ge=1, le=365)
    deposit_percent: int = Field(30, ge=0, le=100)
    time_zone: TimeZone = "America/Argentina/Buenos_Aires"
    check_in_time: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "14:00"
    check_out_time: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "10:00"
    amenities: list[Annotated[str, StringConstraints(max_length=60)]] = Field(default_factory=list, max_length=50)
    photos: list[Annotated[str, StringConstraints(pattern=r"^https?://", max_length=500)]] = Field(
        default_factory=list, max_length=30
    )
    location: Location = Field(default_factory=Location)
    guest_info: GuestInfo = Field(default_factory=GuestInfo)
    guest_messages: GuestMessages = Field(default_factory=lambda: GuestMessages())
    cancellation_rules: Rules = Field(
        default_factory=list, description="[] = the default: 15 days or more 100 %, 7 to 14 days 50 %, else nothing"
    )
    balance_on_arrival: bool = False
    active: bool = True


class AccommodationPatch(Strict):
    """Any subset of AccommodationIn's fields."""

    name: Name | None = None
    type: str | None = Field(None, max_length=40)
    description: str | None = Field(None, max_length=4000)
    capacity: int | None = Field(None, ge=1, le=50)
    nightly_price: int | None = Field(None, ge=0, le=10**12)
    weekend_multiplier_percent: int | None = Field(None, gt=0, le=1000)
    weekend_nights: list[Annotated[int, Field(ge=1, le=7)]] | None = None
    seasons: list[Season] | None = Field(None, max_length=50)
    min_nights: int | None = Field(None, ge=1, le=60)
    max_nights: int | None = Field(None, ge=1, le=365)
    deposit_percent: int | None = Field(None, ge=0, le=100)
    amenities: list[Annotated[str, StringConstraints(max_length=60)]] | None = Field(None, max_length=50)
    photos: list[Annotated[str, StringConstraints(pattern=r"^https?://", max_length=500)]] | None = Field(
        None, max_length=30
    )
    location: Location | None = None
    guest_info: GuestInfo | None = Field(None, description="Changes the answers it names and keeps the others")
    guest_messages: GuestMessages | None = Field(None, description="Replaces them all")
    cancellation_rules: Rules | None = Field(None, description="Replaces them all; [] = back to the default")
    balance_on_arrival: bool | None = None
    active: bool | None = None


class BusyOut(BaseModel):
    check_in: date
    check_out: date
    status: Status


class AvailabilityOut(BaseModel):
    available: bool
    accommodation_id: int
    check_in: date
    check_out: date
    guests: int
    quote: QuoteOut | None
    reason: str | None = Field(None, description="Why not, when not available")
    busy: list[BusyOut] = Field(description="Taken ranges over the next 90 days")


class ReservationIn(Strict):
    accommodation_id: int = Field(ge=1, le=2**62)
    check_in: date
    check_out: date
    guests: int = Field(ge=1, le=50)
    guest_name: Name
    guest_phone: Phone
    guest_email: Email | None = None
    # Read as any short string so that another channel gets its own code (the route refuses it),
    # documented as what it is: web only.
    channel: Annotated[
        str, StringConstraints(max_length=40), WithJsonSchema({"type": "string", "enum": ["web"], "default": "web"})
    ] = Field(
        "web",
        description="Only `web`, anything else is 422 `channel_not_allowed`: WhatsApp reservations are made by"
        " writing to the bot, which knows the guest's number",
    )


class CancellationQuoteOut(BaseModel):
    days_before: int = Field(description="Days from today (the cabin's zone) to check-in")
    percent: int = Field(description="Of what was paid, under the reservation's policy")
    refund: int = Field(description="Minor units: that percentage of what was paid, less what went back")


class RefundOut(BaseModel):
    id: int
    payment_external_id: str
    amount: int = Field(description="Minor units")
    currency: str
    status: str = Field(description='"requested", "approved", "rejected", "failed" or "by_hand"')
    error: str
    attempts: int
    actor: str
    reason: str
    external_id: str = Field(description="Mercado Pago's refund id, once made")
    created_at: datetime | None
    updated_at: datetime | None
    settled_by: str = Field("", description='Who recorded it given back by hand: "user:<id>", "admin:<sub>"')


class ReservationOut(BaseModel):
    code: str
    status: Status
    accommodation_id: int
    accommodation_name: str
    check_in: date
    check_out: date
    nights: int
    guests: int
    total: int = Field(description="Minor units")
    deposit: int = Field(description="Minor units")
    currency: str
    expires_at: datetime | None = None  # only while held; routes leave out what is None
    payment_url: str | None = Field(
        None,
        description="The deposit's payment link, ours (`/pagar/{code}/{signature}`): opening it makes the"
        " Mercado Pago checkout the first time and redirects there, every time to the same one",
    )
    guest_name: str | None = Field(None, description="Only with the manage token or an admin token")
    guest_phone: str | None = None
    guest_email: str | None = None
    channel: str | None = None
    paid_but_unavailable: bool | None = None
    block_reason: str | None = Field(None, description="Why the owner closed these nights (owner blocks only)")
    cancellation_rules: list[CancellationRule] | None = Field(
        None, description="The cabin's policy as it was when booked: what a cancellation applies"
    )
    cancellation_policy: str | None = Field(None, description="Those rules in a sentence for guests (es-AR)")
    refund_mode: str | None = Field(
        None, description='Cancelled: what the canceller chose to give back, "policy", "full", "amount" or "none"'
    )
    refund_amount: int | None = Field(None, description="Minor units, with `refund_mode` amount")
    # Its money (payments' GetBalance), with the manage token or an admin token; left out when payments
    # did not answer.
    paid: int | None = Field(None, description="Minor units: approved payments (online, cash, transfer)")
    refunded: int | None = Field(None, description="Minor units: what went back")
    balance_due: int | None = Field(None, description="Minor units: still to pay; 0 once cancelled or expired")
    balance_payment_url: str | None = Field(
        None, description="Checkout link for the balance: confirmed, something due and collected online"
    )
    overpaid: int | None = Field(None, description="Minor units paid beyond the total: for a person to give back")
    if_cancelled_now: CancellationQuoteOut | None = None
    refunds: list[RefundOut] | None = Field(None, description="Newest first; admin only")


class CancelIn(Strict):
    """What to give back of what was paid: an admin or API token's choice (a guest's cancel always
    applies the policy, whatever the body says). Anything but `policy` needs a reason."""

    refund: Literal["policy", "full", "amount", "none"] = "policy"
    amount_minor: int | None = Field(None, ge=1, le=10**12, description="Minor units, with `refund` amount")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class ReservationCreated(ReservationOut):
    manage_token: str = Field(description="Shown once: lets the guest read and cancel the reservation")


class ReservationPage(BaseModel):
    items: list[ReservationOut]
    page: int
    total: int


class PaymentOut(BaseModel):
    external_id: str
    reservation_code: str
    status: str
    status_detail: str
    amount: int = Field(description="Minor units")
    currency: str
    events_count: int
    issue: str
    last_event_at: datetime | None
    method: str = Field(description='"mercado_pago", "cash" or "transfer"')
    recorded_by: str = Field(description='Who recorded a payment received by hand: "admin:<sub>", "user:<id>"')
    note: str
    kind: str = Field(
        "", description='What it paid: "deposit", "balance", or "" (nothing: see `issue`, e.g. a duplicate)'
    )


class FeedIn(Strict):
    accommodation_id: int = Field(ge=1, le=2**62)
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
    source: Literal["airbnb", "booking", "vrbo", "other"]


class ConflictOut(BaseModel):
    uid: str
    source: str
    check_in: date
    check_out: date
    reservation_code: str
    reservation_check_in: date
    reservation_check_out: date


class FeedOut(BaseModel):
    id: int
    accommodation_id: int
    url: str
    source: str
    last_sync_at: datetime | None
    last_success_at: datetime | None
    last_status: str
    last_error: str
    events_count: int
    conflicts: list[ConflictOut]


class SyncOut(BaseModel):
    feed_id: int
    status: str
    created: int
    updated: int
    removed: int
    unchanged: int
    conflicts: list[ConflictOut]
    error: str


class NluIn(Strict):
    text: str = Field(min_length=1, max_length=2000)
    today: date | None = Field(None, ge=date(1900, 1, 1), le=date(2999, 12, 31))  # near 9999 a stay overflows
    # What the bot asked last, as the dialog passes it (messaging's nlu.EXPECTS).
    expecting: Literal["", "dates", "nights", "guests", "choice", "yes_no", "cancel_confirm", "which_reservation"] = ""
    # The stay's check-in so far: with expecting "nights", "hasta el 8" is its check-out.
    stay_start: date | None = Field(None, ge=date(1900, 1, 1), le=date(2999, 12, 31))


class HandoffIn(Strict):
    active: bool


Role = Literal["owner", "staff", "viewer"]
# The service checks e-mails itself (owner@localhost is one); this only keeps out what cannot be.
LoginEmail = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)]
OptionalPhone = Phone | Literal[""]


class UserIn(Strict):
    email: LoginEmail
    password: str = Field(min_length=1, max_length=256, description="At least 10 characters, not an obvious one")
    role: Role
    name: Name
    phone: OptionalPhone = Field("", description="WhatsApp, E.164")


class UserPatch(Strict):
    """Any of these; `active: false` deactivates the user (their sessions end)."""

    name: Name | None = None
    phone: OptionalPhone | None = None
    role: Role | None = None
    active: bool | None = None


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    phone: str
    role: Role
    active: bool
    created_at: datetime
    last_login_at: datetime | None


Alert = Literal[
    "new_booking",
    "guest_waiting",
    "ical_conflict",
    "feed_failing",
    "paid_but_unavailable",
    "duplicate_payment",
    "chargeback",
    "refund_failed",
    "guest_cancelled",
]


class MePatch(Strict):
    name: Name | None = None
    phone: OptionalPhone | None = Field(None, description="WhatsApp, E.164")


class PasswordIn(Strict):
    current_password: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=256, description="At least 10 characters, not an obvious one")


class NotificationsIO(Strict):
    """Which alerts reach the user by each channel."""

    whatsapp: list[Alert] = Field(default_factory=list, max_length=9)
    email: list[Alert] = Field(default_factory=list, max_length=9)


class ApiTokenIn(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class ApiTokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    secret: str | None = Field(None, description="The token itself: in the creation's answer only")


class UserPage(BaseModel):
    items: list[UserOut]
    page: int
    total: int


# The owner's actions (gateway/routes/admin_reservations.py) -----------------------------------

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class BlockIn(Strict):
    check_in: date
    check_out: date
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        "", description="Own use, repairs...: kept for the owner, never shown to a channel"
    )


class ManualReservationIn(Strict):
    accommodation_id: int = Field(ge=1, le=2**62)
    check_in: date
    check_out: date
    guests: int = Field(ge=1, le=50)
    guest_name: Name
    guest_phone: OptionalPhone = ""
    guest_email: Email | None = None
    total_minor: int | None = Field(None, ge=0, le=10**12, description="The total agreed; unset = the cabin's quote")
    note: Text = ""


class ChangeDatesIn(Strict):
    check_in: date
    check_out: date
    price: Literal["reprice", "keep", "override"] = Field(
        "reprice", description="`reprice`: the cabin's quote; `keep`: the same total; `override`: `total_minor`"
    )
    total_minor: int | None = Field(None, ge=0, le=10**12, description="The new total, with `override`")


class NoteIn(Strict):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class HistoryEntryOut(BaseModel):
    at: datetime
    actor: str = Field(description='"guest", "system", "payments", "admin:<sub>", "user:<id>"')
    action: str = Field(description="created, confirmed, cancelled, expired, dates_changed, note, blocked, unblocked")
    text: str
    data: dict[str, str]


# Payments received by hand and the inbox (gateway/routes/admin.py) ------------------------------


class ManualPaymentIn(Strict):
    amount_minor: int = Field(ge=1, le=10**12, description="Minor units, in the reservation's currency")
    method: Literal["cash", "transfer"]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = Field(
        "", description="E.g. the transfer's reference"
    )


class RefundIn(Strict):
    amount_minor: int | None = Field(
        None, ge=1, le=10**12, description="Minor units; unset: what was paid beyond the total (a duplicate payment)"
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class MessageOut(BaseModel):
    direction: str = Field(description='"inbound" (from the guest) or "outbound"')
    type: str
    text: str
    at: datetime | None
    status: str = Field(description="Outbound: queued, sent, delivered, read, failed, sandbox")
    author: str = Field(description='Outbound: "" for the bot, "user:<id>" / "admin:<sub>" for a person')


class ConversationOut(BaseModel):
    phone: str
    name: str
    handoff: bool = Field(description="A person has it: the bot stays quiet")
    waiting_since: datetime | None = Field(description="Since when the guest waits for a person; null: nobody waits")
    last_text: str
    last_inbound_at: datetime | None
    window_open: bool = Field(description="The guest wrote within 24 h: a reply goes as typed, else the template")


class ConversationDetail(ConversationOut):
    messages: list[MessageOut] = Field(description="The latest, oldest first")


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    page: int
    total: int


class ReplyIn(Strict):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4096)]


class ReplyOut(BaseModel):
    message: MessageOut
    template: bool = Field(description="The 24-hour window was closed: the approved template went instead")


EmailStatus = Literal["queued", "sent", "failed", "sandbox"]


class EmailOut(BaseModel):
    id: int
    to: str
    subject: str
    text: str = Field(description="The plain-text body")
    status: EmailStatus = Field(
        description="queued (to send, or retried later), sent (the SMTP server took it), failed (refused for good"
        " or kept failing), sandbox (no SMTP_HOST: it stays here)"
    )
    error: str = Field(description="The SMTP server's last reply (or why it could not be reached), if any")
    attempts: int
    attachments: list[str] = Field(description='File names, e.g. "reserva.ics"')
    created_at: datetime
    sent_at: datetime | None


class EmailPage(BaseModel):
    items: list[EmailOut] = Field(description="Newest first")
    page: int
    more: bool = Field(description="There is a next page")
