"""The one UID a stay's calendar event has wherever it appears: the channels' export
(services/calendar/export.py) and the `.ics` the guest gets by e-mail (services/messaging/mail.py).
Shared, so a change to the stay updates the event in the guest's calendar instead of adding one."""

UID_HOST = "cabanas"


def stay_uid(code: str) -> str:
    """The iCalendar UID of reservation `code`'s event."""
    return f"{code}@{UID_HOST}"
