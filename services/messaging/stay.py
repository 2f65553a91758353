"""What the guest is told about their stay, from booking to the review request: each message
as paragraphs (lines on WhatsApp, paragraphs by e-mail) with its e-mail subject, the stay as an
`.ics` for their calendar, and the e-mail itself. Transport-free: `notify.Notifier.tell` sends
them, `notify.py` on booking's events and `journey.py` when they are due.

Only the guest's own reservation and the cabin's data go in: the address, maps link, times, wifi
and house rules from the cabin's fields, the rest in the owner's words (`GuestWords`); a part
nobody wrote is left out, never guessed."""

from dataclasses import dataclass
from datetime import date

from services.messaging import mail
from services.messaging import templates as t
from services.messaging.dialog import GUEST_ZONE
from services.messaging.ports import Balance, Cabin, Held


@dataclass(frozen=True)
class Said:
    paragraphs: tuple[str, ...]
    subject: str
    calendar: str = ""  # "CONFIRMED" or "CANCELLED": the e-mail carries the stay's .ics with it

    @property
    def text(self) -> str:
        """The WhatsApp message."""
        return "\n".join(self.paragraphs)


def _said(subject: str, *paragraphs: str, calendar: str = "") -> Said:
    """Paragraphs nobody wrote ("") are left out."""
    return Said(tuple(p for p in paragraphs if p), subject, calendar)


def facts(r: Held) -> dict[str, str]:
    """What the messages' templates name: the guest's first name, the code, the cabin, the dates."""
    return {
        "name": r.guest_name.split(" ")[0] or "hola",
        "code": r.code,
        "cabin": r.cabin,
        "check_in": t.day(r.check_in),
        "check_out": t.day(r.check_out),
        "stay": t.stay(r.check_in, r.check_out),
    }


def cabin_of(r: Held, found: Cabin | None) -> Cabin:
    """The reservation's cabin as booking has it, or what the reservation knows of it (its name)."""
    return found or Cabin(id=r.cabin_id, slug="", name=r.cabin, capacity=0, time_zone=r.time_zone)


def zone(r: Held, cabin: Cabin) -> str:
    """The cabin's time zone (its times are local), the reservation's copy, else the guests'."""
    return cabin.time_zone or r.time_zone or GUEST_ZONE.key


def _line(template: str, value: str, name: str) -> str:
    return template.format(**{name: value}) if value.strip() else ""


def confirmed(r: Held, cabin: Cabin, text: str) -> Said:
    """The confirmation (notify.py's text) and the owner's note for it."""
    return _said(t.STAY_CONFIRMED_SUBJECT.format(**facts(r)), text, cabin.words.confirmed_note, calendar="CONFIRMED")


def refund(balance: Balance | None) -> str:
    """What a cancellation gives back, as far as payments knows: the refunds asked, nothing when
    nothing was paid, in general terms while payments has not asked them yet (or did not answer)."""
    if balance is not None and balance.refunding_minor:
        return t.STAY_REFUNDING.format(amount=t.money(balance.refunding_minor, balance.currency))
    if balance is not None and not balance.paid_minor:
        return ""
    return t.STAY_REFUND_LATER


def cancelled(r: Held, by_guest: bool, balance: Balance | None) -> Said:
    said = (t.STAY_CANCELLED_BY_GUEST if by_guest else t.STAY_CANCELLED_BY_OWNER).format(**facts(r))
    return _said(t.STAY_CANCELLED_SUBJECT.format(**facts(r)), said, refund(balance), calendar="CANCELLED")


def moved(r: Held, before: tuple[date, date] | None, balance: Balance | None) -> Said:
    """New dates and amounts: the total, and what is left to pay when payments says."""
    was = t.stay(*before) if before else ""
    due = t.STAY_DUE.format(due=t.money(balance.due_minor, balance.currency)) if balance and balance.due_minor else ""
    return _said(
        t.STAY_MOVED_SUBJECT.format(**facts(r)),
        t.STAY_MOVED.format(before=was, **facts(r)),
        t.STAY_MOVED_TOTAL.format(total=t.money(r.total_minor, r.currency)),
        due,
        calendar="CONFIRMED",
    )


def refund_news(r: Held, text: str) -> Said:
    """A refund on its way, done, or the owner's to give (notify.py's text)."""
    return _said(t.STAY_REFUND_SUBJECT.format(**facts(r)), text)


def balance_due(r: Held, balance: Balance, days: int) -> Said:
    until = t.until_arrival(days)
    said = t.BALANCE_DUE.format(until=until, due=t.money(balance.due_minor, balance.currency), **facts(r))
    return _said(t.BALANCE_DUE_SUBJECT.format(**facts(r)), said, balance.payment_url)


def checkin(r: Held, cabin: Cabin) -> Said:
    """Address, map, check-in time, keys, wifi, house rules and the owner's arrival note."""
    place = ", ".join(p for p in (cabin.address, cabin.city) if p.strip())
    return _said(
        t.CHECKIN_SUBJECT.format(**facts(r)),
        t.CHECKIN.format(day=t.long_day(r.check_in), **facts(r)),
        _line(t.CHECKIN_ADDRESS, place, "address"),
        _line(t.CHECKIN_MAP, cabin.maps_url, "url"),
        _line(t.CHECKIN_TIME, cabin.check_in_time, "time"),
        _line(t.CHECKIN_KEYS, cabin.words.keys, "keys"),
        _line(t.CHECKIN_WIFI, cabin.faq.get("wifi", ""), "wifi"),
        _line(t.CHECKIN_RULES, cabin.faq.get("house_rules", ""), "rules"),
        cabin.words.arrival_note,
        t.CHECKIN_END,
    )


def checkout(r: Held, cabin: Cabin) -> Said:
    return _said(
        t.CHECKOUT_SUBJECT.format(**facts(r)),
        t.CHECKOUT.format(**facts(r)),
        _line(t.CHECKOUT_TIME, cabin.check_out_time, "time"),
        cabin.words.departure_note,
        t.CHECKOUT_END,
    )


def review(r: Held, cabin: Cabin) -> Said:
    return _said(t.REVIEW_SUBJECT.format(**facts(r)), t.REVIEW.format(**facts(r)), cabin.words.review_url)


def email(r: Held, cabin: Cabin, said: Said, sequence: int) -> mail.Email:
    """The e-mail of a message to the reservation's guest; `sequence` orders the versions of its
    .ics (a later one replaces the event in the guest's calendar)."""
    ics = None
    if said.calendar:
        place = ", ".join(p for p in (cabin.address, cabin.city) if p.strip())
        ics = mail.stay_ics(
            r.code,
            cabin.name,
            r.check_in,
            r.check_out,
            cabin.check_in_time,
            cabin.check_out_time,
            zone(r, cabin),
            place,
            status=said.calendar,
            sequence=sequence,
        )
    return mail.guest_email(r.email, said.subject, cabin.name, cabin.photo_url, said.paragraphs, ics)
