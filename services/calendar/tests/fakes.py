"""Booking as an in-memory implementation of calendar's port."""

from dataclasses import dataclass, field
from datetime import date

from services.calendar.ical import Booked, Event
from services.calendar.ports import BlockSync, Cabin, Conflict
from services.common.errors import DomainError, not_found


@dataclass
class FakeBooking:
    cabins: dict[int, Cabin] = field(default_factory=dict)
    reservations: dict[int, list[Booked]] = field(default_factory=dict)
    blocks: dict[tuple[int, str], list[Event]] = field(default_factory=dict)  # the current set per (cabin, source)
    conflicts: list[Conflict] = field(default_factory=list)  # what the next sync_blocks refuses
    failure: DomainError | None = None  # what every call raises, when set
    asked: list[str] = field(default_factory=list)

    def add(self, cabin: Cabin) -> Cabin:
        self.cabins[cabin.id] = cabin
        return cabin

    def _ask(self, call: str) -> None:
        self.asked.append(call)
        if self.failure is not None:
            raise self.failure

    async def cabin(self, accommodation_id: int) -> Cabin:
        self._ask("cabin")
        if accommodation_id not in self.cabins:
            raise not_found(f"No cabin {accommodation_id}.")
        return self.cabins[accommodation_id]

    async def booked(self, accommodation_id: int, start: date, end: date) -> list[Booked]:
        self._ask("booked")
        return [b for b in self.reservations.get(accommodation_id, []) if b.start < end and b.end > start]

    async def sync_blocks(self, accommodation_id: int, source: str, events: list[Event]) -> BlockSync:
        self._ask("sync_blocks")
        before = {e.uid: e for e in self.blocks.get((accommodation_id, source), [])}
        refused = {c["uid"] for c in self.conflicts}
        after = {e.uid: e for e in events if e.uid not in refused}
        self.blocks[(accommodation_id, source)] = list(after.values())
        return BlockSync(
            created=len(after.keys() - before.keys()),
            updated=sum(1 for uid, e in after.items() if uid in before and before[uid] != e),
            removed=len(before.keys() - after.keys()),
            unchanged=sum(1 for uid, e in after.items() if before.get(uid) == e),
            conflicts=list(self.conflicts),
        )
