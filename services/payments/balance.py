"""A reservation's money: what it costs, what came in and went back, what is still due.

Paid counts every approved payment in the reservation's currency (online, cash, transfer, those
flagged as duplicates too), refunded what went back of them (refunds.py). A pre-reserved or
confirmed stay owes `total - (paid - refunded)`; a cancelled or expired one owes nothing. What
came in beyond the total is `overpaid`: kept on record for a person to give back.

A payment is counted as it is decided (notifications.py, manual.py), one per reservation at a
time (`store.lock_reservation`): within what is due it pays the deposit or the balance, beyond it
is a `duplicate_payment`. The balance link (Checkout Pro, `metadata.kind = "balance"`) is made
when it is first asked for: for a confirmed stay that owes something and pays it online, once per
amount due.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from services.common import cancellation
from services.common.db import Conn
from services.payments import refunds, store
from services.payments.links import Links
from services.payments.ports import Booking, Reservation

ACTIVE = ("pre_reserved", "confirmed")  # the stays that still owe their total
DEFAULT_ZONE = "America/Argentina/Buenos_Aires"  # a reservation from before cabins had a zone


def due_minor(status: str, total: int, paid: int, refunded: int) -> int:
    return max(0, total - (paid - refunded)) if status in ACTIVE else 0


def overpaid_minor(total: int, paid: int, refunded: int) -> int:
    return max(0, paid - refunded - total)


def kind_of(kept_before: int, deposit: int) -> str:
    """What a counted payment pays: the deposit until that is covered, then the balance."""
    return "deposit" if kept_before < deposit else "balance"


async def counted(conn: Conn, r: Reservation, external_id: str, amount_minor: int) -> dict[str, Any]:
    """The payment's columns once counted towards a stay that needs no confirming (confirmed, or
    confirmed by another payment): its kind within what is due, else `duplicate_payment`.
    Call it holding the reservation's lock."""
    kept = await store.paid_minor(conn, r.code, r.currency, excluding=external_id) - await refunds.refunded_minor(
        conn, r.code
    )
    if amount_minor > due_minor(r.status, r.total_minor, kept, 0):
        return {"issue": "duplicate_payment"}
    return {"confirmed_at": datetime.now().astimezone(), "kind": kind_of(kept, r.deposit_minor)}


@dataclass(frozen=True)
class Quote:
    """What cancelling now would give back."""

    days_before: int
    percent: int
    refund_minor: int


@dataclass(frozen=True)
class Balance:
    code: str
    currency: str
    total_minor: int
    paid_minor: int
    refunded_minor: int
    due_minor: int
    overpaid_minor: int
    payment_url: str  # "" unless collected online, confirmed and owing
    if_cancelled_now: Quote | None  # None once cancelled or expired
    refunds: list[asyncpg.Record]  # newest first


def quote(r: Reservation, kept_minor: int, now: datetime) -> Quote:
    zone = ZoneInfo(r.time_zone or DEFAULT_ZONE)
    percent = cancellation.refund_percent(r.rules, r.check_in, now, zone)
    days = cancellation.days_before(r.check_in, now, zone)
    return Quote(days, percent, cancellation.refund_minor(max(0, kept_minor), percent))


class Balances:
    def __init__(self, pool: asyncpg.Pool, booking: Booking, links: Links) -> None:
        self.pool = pool
        self.booking = booking
        self.links = links

    async def get(self, code: str) -> Balance:
        r = await self.booking.reservation(code)
        async with self.pool.acquire() as conn:
            paid = await store.paid_minor(conn, r.code, r.currency)
            refunded = await refunds.refunded_minor(conn, r.code)
            given_back = list(await refunds.list_refunds(conn, r.code))
        due = due_minor(r.status, r.total_minor, paid, refunded)
        url = ""
        if r.status == "confirmed" and due > 0 and not r.balance_on_arrival:
            link = await self.links.balance(r, due)
            url = link["init_point"] if link else ""
        return Balance(
            code=r.code,
            currency=r.currency,
            total_minor=r.total_minor,
            paid_minor=paid,
            refunded_minor=refunded,
            due_minor=due,
            overpaid_minor=overpaid_minor(r.total_minor, paid, refunded),
            payment_url=url,
            if_cancelled_now=quote(r, paid - refunded, datetime.now().astimezone()) if r.status in ACTIVE else None,
            refunds=given_back,
        )
