"""What several messaging tests fake the same way: `ports.Feeds` with nothing in it."""

from collections.abc import AsyncIterator

from services.messaging.ports import Balance, BookingEvent, Cabin, Held, PaymentEvent


class EmptyFeeds:
    """ports.Feeds with no events, reservations by code from `held`, no holds waiting, a link per
    code, no cabin and no balance: a test's fake overrides what it follows."""

    def __init__(self) -> None:
        self.held: dict[str, Held] = {}

    async def booking_events(self, after_id: int) -> AsyncIterator[BookingEvent]:
        none: tuple[BookingEvent, ...] = ()
        for event in none:
            yield event

    async def payment_events(self, after_id: int) -> AsyncIterator[PaymentEvent]:
        none: tuple[PaymentEvent, ...] = ()
        for event in none:
            yield event

    async def reservation(self, code: str) -> Held | None:
        return self.held.get(code)

    async def holds(self) -> list[Held]:
        return []

    async def payment_link(self, code: str) -> str:
        return f"https://pago.example/{code}"

    async def cabin(self, cabin_id: int) -> Cabin | None:
        return None

    async def balance(self, code: str) -> Balance | None:
        return None
