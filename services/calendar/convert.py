"""Protobuf <-> calendar's rows and domain values, in one place."""

from datetime import UTC

import asyncpg

from cabanas.v1 import booking_pb2, calendar_pb2, common_pb2
from services.calendar.ical import Booked, Event
from services.calendar.ports import BlockSync, Cabin, Conflict
from services.calendar.sync import Result
from services.common import pb

# sync.Result's statuses ("ok", "not_modified", ...) as the contract's enum values.
SYNC_STATUSES = pb.enum_values(calendar_pb2.SyncStatus, "SYNC_STATUS_")
# The reservations that hold a cabin's nights: what its exported calendar shows.
HOLDING = [
    common_pb2.RESERVATION_STATUS_PRE_RESERVED,
    common_pb2.RESERVATION_STATUS_CONFIRMED,
    common_pb2.RESERVATION_STATUS_BLOCKED,
]


def feed_pb(row: asyncpg.Record) -> calendar_pb2.Feed:
    return calendar_pb2.Feed(
        id=row["id"],
        accommodation_id=row["accommodation_id"],
        url=row["url"],
        source=row["source"],
        created_at=pb.timestamp_pb(row["created_at"]),
        last_sync_at=pb.timestamp_pb(row["last_sync_at"]),
        last_success_at=pb.timestamp_pb(row["last_success_at"]),
        last_status=SYNC_STATUSES.get(row["last_status"] or "", calendar_pb2.SYNC_STATUS_UNSPECIFIED),
        last_error=row["last_error"] or "",
        events_count=row["events_count"],
        conflicts_count=len(row["conflicts"]),
        conflicts=[pb.conflict_pb(c) for c in row["conflicts"]],
    )


def result_pb(r: Result) -> calendar_pb2.SyncResult:
    return calendar_pb2.SyncResult(
        feed_id=r.feed_id,
        status=SYNC_STATUSES[r.status],
        created=r.counts.get("created", 0),
        updated=r.counts.get("updated", 0),
        removed=r.counts.get("removed", 0),
        unchanged=r.counts.get("unchanged", 0),
        conflicts=[pb.conflict_pb(c) for c in r.conflicts],
        error=r.error or "",
        started_at=pb.timestamp_pb(r.started_at),
        finished_at=pb.timestamp_pb(r.finished_at),
    )


def cabin(a: booking_pb2.Accommodation) -> Cabin:
    return Cabin(id=a.id, name=a.name, time_zone=a.time_zone)


def booked(r: booking_pb2.Reservation) -> Booked:
    return Booked(
        code=r.code,
        start=pb.day(r.stay.start),
        end=pb.day(r.stay.end),
        status="blocked" if r.status == common_pb2.RESERVATION_STATUS_BLOCKED else "booked",
        source=r.external_source or pb.CHANNEL_NAMES.get(r.channel, "web"),
        updated_at=r.updated_at.ToDatetime(tzinfo=UTC),
    )


def external_block(e: Event) -> booking_pb2.ExternalBlock:
    return booking_pb2.ExternalBlock(uid=e.uid, range=pb.range_pb(e.start, e.end), summary=e.summary)


def conflict(c: common_pb2.BlockConflict) -> Conflict:
    return Conflict(
        uid=c.uid,
        check_in=pb.day(c.range.start).isoformat(),
        check_out=pb.day(c.range.end).isoformat(),
        reservation_code=c.reservation_code,
        source=c.source,
        reservation_check_in=pb.day(c.reservation_range.start).isoformat(),
        reservation_check_out=pb.day(c.reservation_range.end).isoformat(),
    )


def block_sync(reply: booking_pb2.SyncExternalBlocksResponse) -> BlockSync:
    return BlockSync(
        created=reply.created,
        updated=reply.updated,
        removed=reply.removed,
        unchanged=reply.unchanged,
        conflicts=[conflict(c) for c in reply.conflicts],
    )
