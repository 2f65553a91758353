"""External calendar blocks (Airbnb, Booking.com, ...): replace-set per (cabin, source).

New UIDs create blocks, moved ones are updated, vanished ones removed. A block
that would overlap a holding reservation is not applied but reported as a
conflict (and an event for the owner when the reservation is a direct one):
an external calendar never overrides a direct booking.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import asyncpg

from services.booking import store
from services.booking.holds import cabin, new_code
from services.booking.locks import CabinLocks
from services.common.db import Conn
from services.common.errors import invalid


@dataclass(frozen=True)
class Block:
    uid: str
    check_in: date
    check_out: date
    summary: str = ""


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)


def _validated(blocks: list[Block], allow_empty: bool) -> dict[str, Block]:
    if not blocks and not allow_empty:
        raise invalid("EMPTY_SET", "An empty set removes every block: pass allow_empty to mean it.")
    by_uid: dict[str, Block] = {}
    for block in blocks:  # a duplicated UID: the last one wins, as in the feed
        if not block.uid or len(block.uid) > 500:
            raise invalid("INVALID_UID", "Every block needs a UID of at most 500 characters.")
        if block.check_in >= block.check_out:
            raise invalid("INVALID_RANGE", f"Block {block.uid} ends before it starts.")
        by_uid[block.uid] = block
    return by_uid


async def sync(
    pool: asyncpg.Pool, locks: CabinLocks, accommodation_id: int, source: str, blocks: list[Block], allow_empty: bool
) -> SyncResult:
    wanted = _validated(blocks, allow_empty)
    if not source:
        raise invalid("INVALID_SOURCE", "The source label is required.")
    result = SyncResult()
    async with pool.acquire() as conn, locks.hold(accommodation_id):
        await cabin(conn, accommodation_id)
        async with conn.transaction():
            existing = {row["external_uid"]: row for row in await store.blocks_of(conn, accommodation_id, source)}
            for uid, gone in existing.items():
                if uid not in wanted:
                    await store.update_reservation(
                        conn, gone["id"], {"status": "cancelled", "cancelled_at": datetime.now().astimezone()}
                    )
                    await store.emit(conn, "block.removed", gone["id"])
                    result.removed += 1
            for uid, block in wanted.items():
                row = existing.get(uid)
                if row and (row["check_in"], row["check_out"]) == (block.check_in, block.check_out):
                    result.unchanged += 1
                    continue
                await _apply(conn, accommodation_id, source, block, row, result)
    return result


async def _apply(
    conn: Conn,
    accommodation_id: int,
    source: str,
    block: Block,
    row: asyncpg.Record | None,
    result: SyncResult,
) -> None:
    dates = {"check_in": block.check_in, "check_out": block.check_out, "external_summary": block.summary}
    try:
        async with conn.transaction():  # a savepoint: one conflict must not undo the others
            if row is None:
                row = await store.insert_reservation(
                    conn,
                    {
                        "code": "BLK" + new_code(date.today())[3:],
                        "accommodation_id": accommodation_id,
                        "guests": 0,
                        "status": "blocked",
                        "channel": "ical",
                        "external_source": source,
                        "external_uid": block.uid,
                        **dates,
                    },
                )
                await store.emit(conn, "block.created", row["id"])
                result.created += 1
            else:
                await store.update_reservation(conn, row["id"], dates)
                await store.emit(conn, "block.updated", row["id"])
                result.updated += 1
    except asyncpg.ExclusionViolationError:
        exclude = row["id"] if row else 0
        taken = await store.holding_overlap(conn, accommodation_id, block.check_in, block.check_out, exclude_id=exclude)
        conflict = {
            "uid": block.uid,
            "source": source,
            "check_in": block.check_in,
            "check_out": block.check_out,
            "reservation_code": taken["code"] if taken else "",
            "reservation_check_in": taken["check_in"] if taken else None,
            "reservation_check_out": taken["check_out"] if taken else None,
        }
        result.conflicts.append(conflict)
        if taken and taken["status"] != "blocked":  # a direct booking: the owner must hear of it
            await store.emit(conn, "reservation.conflict", taken["id"], {"conflict": _jsonable(conflict)})


def _jsonable(conflict: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, date) else v for k, v in conflict.items()}
