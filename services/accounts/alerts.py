"""Which alerts a user wants, and by which channels (the notifications issue reads them).

Stored per user as {"whatsapp": [...], "email": [...]}; a user who never chose gets their
role's defaults, so a new owner hears about everything on WhatsApp from the first day."""

from collections.abc import Mapping, Sequence

import asyncpg

from services.common.errors import invalid

ALERTS = (
    "new_booking",
    "guest_waiting",
    "ical_conflict",
    "feed_failing",
    "paid_but_unavailable",
    "duplicate_payment",
    "chargeback",
    "refund_failed",
    "guest_cancelled",
)
CHANNELS = ("whatsapp", "email")
Preferences = dict[str, list[str]]

_DEFAULTS: dict[str, Preferences] = {
    "owner": {"whatsapp": list(ALERTS), "email": []},
    # Staff run reservations and the inbox, not money or channels.
    "staff": {"whatsapp": ["new_booking", "guest_waiting", "guest_cancelled"], "email": []},
    "viewer": {"whatsapp": [], "email": []},
}


def checked(preferences: Mapping[str, Sequence[str]]) -> Preferences:
    """Every channel with its alerts in ALERTS' order, duplicates dropped; INVALID_ALERT for an unknown one."""
    unknown = sorted(set(preferences) - set(CHANNELS)) + sorted(
        {alert for alerts in preferences.values() for alert in alerts} - set(ALERTS)
    )
    if unknown:
        raise invalid("INVALID_ALERT", f"Avisos o canales desconocidos: {', '.join(unknown)}.")
    return {channel: [a for a in ALERTS if a in preferences.get(channel, ())] for channel in CHANNELS}


def of(user: asyncpg.Record) -> Preferences:
    """A user row's preferences: what they chose, else their role's defaults."""
    stored = user["notifications"]
    return checked(stored) if stored is not None else checked(_DEFAULTS[user["role"]])
