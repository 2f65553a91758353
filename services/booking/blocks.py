"""External calendar blocks (Airbnb, Booking.com, ...): replace-set per (cabin, source).

New UIDs create blocks, moved ones are updated, vanished ones removed. A block
that would overlap a holding reservation is not applied but reported as a
conflict (and an event for the owner when the reservation is a direct one):
an external calendar never overrides a direct booking.

A large set is applied in transactions of at most CHUNK changes, each under the
cabin's lock and writing its events last, so neither that lock nor the outbox's
(every booking writer waits on it) is held for a whole feed. The result is the
one transaction's (removals first, then the set in its order): changes whose
nights overlap, directly or through others, can decide each other's fate (a
removal or a move frees nights another block takes; two blocks of a feed may
want the same night), so they share a transaction, in that order (such a group
is never split, however large); changes on disjoint nights cannot. The feed's
lock keeps its syncs one at a time. A sync that fails part way leaves its
finished chunks applied; the next one completes it.
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

CHUNK = 200  # changes a transaction at most
OWNER = "owner"  # the source of the owner's own blocks (owner.py): never a feed's
Nights = tuple[date, date]


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


@dataclass
class _Chunk:
    """Changes applied in one transaction: the removals, then new and moved blocks in the set's order."""

    removals: list[asyncpg.Record] = field(default_factory=list)
    placements: list[tuple[Block, asyncpg.Record | None]] = field(default_factory=list)  # with the row moved


async def sync(
    pool: asyncpg.Pool, locks: CabinLocks, accommodation_id: int, source: str, blocks: list[Block], allow_empty: bool
) -> SyncResult:
    wanted = _validated(blocks, allow_empty)
    if not source:
        raise invalid("INVALID_SOURCE", "The source label is required.")
    if source == OWNER:  # a feed's set replaces every block of its source: it must never be the owner's
        raise invalid("INVALID_SOURCE", f"{OWNER!r} names the owner's own blocks, not a feed.")
    result = SyncResult()
    async with pool.acquire() as conn:
        await cabin(conn, accommodation_id)
        async with store.feed_lock(conn, accommodation_id, source):
            existing = {row["external_uid"]: row for row in await store.blocks_of(conn, accommodation_id, source)}
            for chunk in _plan(existing, wanted, result):
                async with locks.hold(accommodation_id), conn.transaction():
                    await _apply(conn, accommodation_id, source, chunk, result)
    position = {uid: i for i, uid in enumerate(wanted)}
    result.conflicts.sort(key=lambda c: position[c["uid"]])  # chunks run out of the set's order
    return result


def _plan(existing: dict[str, asyncpg.Record], wanted: dict[str, Block], result: SyncResult) -> list[_Chunk]:
    """The chunks that turn `existing` into `wanted`; unchanged blocks are only counted."""
    removals = [row for uid, row in existing.items() if uid not in wanted]
    placements: list[tuple[Block, asyncpg.Record | None]] = []
    for uid, block in wanted.items():
        row = existing.get(uid)
        if row and (row["check_in"], row["check_out"]) == (block.check_in, block.check_out):
            result.unchanged += 1
        else:
            placements.append((block, row))
    nights = [[_nights(row)] for row in removals]
    nights += [[(block.check_in, block.check_out), *([_nights(row)] if row else [])] for block, row in placements]
    chunks = []
    for indices in _packed(_overlapping(nights), CHUNK):
        chunk = _Chunk()
        for i in indices:
            if i < len(removals):
                chunk.removals.append(removals[i])
            else:
                chunk.placements.append(placements[i - len(removals)])
        chunks.append(chunk)
    return chunks


def _nights(row: asyncpg.Record) -> Nights:
    return row["check_in"], row["check_out"]


def _overlapping(nights: list[list[Nights]]) -> list[list[int]]:
    """Group the changes (indices of `nights`, what each frees or takes) whose nights overlap,
    directly or through others; each group in order, the groups by their first change."""
    parent = list(range(len(nights)))  # union-find

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    reach, last = date.min, 0  # the end of the overlapping run so far, and a change in it
    for start, end, i in sorted((start, end, i) for i, spans in enumerate(nights) for start, end in spans):
        if start < reach:
            parent[root(i)] = root(last)
        reach, last = max(reach, end), i
    groups: dict[int, list[int]] = {}
    for i in range(len(nights)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _packed(groups: list[list[int]], size: int) -> list[list[int]]:
    """Groups packed into chunks of at most `size` changes (a larger group alone), each chunk in order."""
    chunks: list[list[int]] = []
    for group in groups:
        if chunks and len(chunks[-1]) + len(group) <= size:
            chunks[-1].extend(group)
        else:
            chunks.append(list(group))
    return [sorted(chunk) for chunk in chunks]


async def _apply(conn: Conn, accommodation_id: int, source: str, chunk: _Chunk, result: SyncResult) -> None:
    """Apply a chunk in the transaction, events last: the outbox's lock is taken just before commit."""
    events: list[store.Event] = []
    for row in chunk.removals:
        await store.update_reservation(
            conn, row["id"], {"status": "cancelled", "cancelled_at": datetime.now().astimezone()}
        )
        events.append(("block.removed", row["id"], {}))
        result.removed += 1
    for block, existing in chunk.placements:
        if event := await _place(conn, accommodation_id, source, block, existing, result):
            events.append(event)
    await store.emit_all(conn, events)


async def _place(
    conn: Conn, accommodation_id: int, source: str, block: Block, row: asyncpg.Record | None, result: SyncResult
) -> store.Event | None:
    """Create or move a block; its event, or the owner's on a conflict with a direct booking."""
    dates = {"check_in": block.check_in, "check_out": block.check_out, "external_summary": block.summary}
    try:
        async with conn.transaction():  # a savepoint: one conflict must not undo the others
            if row is not None:
                await store.update_reservation(conn, row["id"], dates)
                result.updated += 1
                return "block.updated", row["id"], {}
            created = await store.insert_reservation(
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
            result.created += 1
            return "block.created", created["id"], {}
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
            return "reservation.conflict", taken["id"], {"conflict": _jsonable(conflict)}
        return None


def _jsonable(conflict: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, date) else v for k, v in conflict.items()}
