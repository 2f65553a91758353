"""SQL of the booking schema. Functions take a connection so callers decide the
transaction; reservation rows always carry `accommodation_name`."""

import unicodedata
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from typing import Any, Literal

import asyncpg
from opentelemetry import propagate
from prometheus_client import Counter

from services.common import outbox
from services.common.db import Conn, fetch_one, keeps_session_state

HOLDING = ("pre_reserved", "confirmed", "blocked")
EVENTS_CHANNEL = "booking_events"
RESERVATION_EVENTS = Counter("booking_reservation_events_total", "Reservation events written", ["event"])
for _event in (
    "pre_reserved",
    "confirmed",
    "expired",
    "cancelled",
    "conflict",
    "paid_but_unavailable",
    "dates_changed",
):
    RESERVATION_EVENTS.labels(_event)  # exported as 0 from the start, so the first one shows in increase()

_WITH_NAME = "SELECT r.*, a.name AS accommodation_name FROM {src} r JOIN accommodations a ON a.id = r.accommodation_id"


def _reservations(where: str) -> str:
    return _WITH_NAME.format(src="reservations") + f" WHERE {where}"


def _returning(statement: str) -> str:
    """Run a writing statement and return the written rows with their cabin's name."""
    return f"WITH w AS ({statement} RETURNING *) " + _WITH_NAME.format(src="w")


# Accommodations -----------------------------------------------------------------

ACCOMMODATION_COLUMNS = (
    "slug",
    "name",
    "type",
    "description",
    "capacity",
    "base_price_minor",
    "currency",
    "weekend_multiplier_percent",
    "weekend_nights",
    "seasons",
    "min_nights",
    "max_nights",
    "deposit_percent",
    "time_zone",
    "check_in_time",
    "check_out_time",
    "amenities",
    "photos",
    "location",
    "guest_info",
    "cancellation_rules",
    "balance_on_arrival",
    "guest_messages",
    "active",
)


class Merge(dict[str, Any]):
    """A value for a jsonb object column that updates the keys it names and keeps the others;
    a key whose value is None is removed."""


def _assignment(column: str, value: Any, placeholder: str) -> str:
    if isinstance(value, Merge):
        return f"{column} = jsonb_strip_nulls({column} || {placeholder}::jsonb)"
    return f"{column} = {placeholder}"


async def accommodation_version(conn: Conn, id: int) -> asyncpg.Record | None:
    """The cabin with `version`: its row version's xmin (the transaction that wrote it), which
    every update changes."""
    return await conn.fetchrow("SELECT *, xmin::text AS version FROM accommodations WHERE id = $1", id)


async def get_accommodation(conn: Conn, *, id: int = 0, slug: str = "") -> asyncpg.Record | None:
    if slug:
        return await conn.fetchrow("SELECT * FROM accommodations WHERE slug = $1", slug)
    return await conn.fetchrow("SELECT * FROM accommodations WHERE id = $1", id)


async def list_accommodations(
    conn: Conn, *, include_inactive: bool, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    where = "true" if include_inactive else "active"
    rows = await conn.fetch(
        f"SELECT *, count(*) OVER () AS total FROM accommodations WHERE {where} ORDER BY name, id LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    total = rows[0]["total"] if rows else await conn.fetchval(f"SELECT count(*) FROM accommodations WHERE {where}")
    return rows, total


async def insert_accommodation(conn: Conn, fields: dict[str, Any]) -> asyncpg.Record:
    columns = [c for c in ACCOMMODATION_COLUMNS if c in fields]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    return await fetch_one(
        conn,
        f"INSERT INTO accommodations ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *",
        *(fields[c] for c in columns),
    )


async def update_accommodation(conn: Conn, id: int, fields: dict[str, Any]) -> asyncpg.Record | None:
    columns = [c for c in ACCOMMODATION_COLUMNS if c in fields]
    if not columns:
        return await get_accommodation(conn, id=id)
    assignments = ", ".join(_assignment(c, fields[c], f"${i}") for i, c in enumerate(columns, start=2))
    return await conn.fetchrow(
        f"UPDATE accommodations SET {assignments}, updated_at = now() WHERE id = $1 RETURNING *",
        id,
        *(fields[c] for c in columns),
    )


# Reservations -------------------------------------------------------------------


async def get_reservation(conn: Conn, code: str, *, for_update: bool = False) -> asyncpg.Record | None:
    sql = _reservations("r.code = $1")
    return await conn.fetchrow(sql + (" FOR UPDATE OF r" if for_update else ""), code)


async def reservation_by_key(conn: Conn, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow(_reservations("r.idempotency_key = $1"), key)


async def insert_reservation(
    conn: Conn,
    values: dict[str, Any],
    recorded: tuple[str, str, str, dict[str, str]] | None = None,
    event: str = "",
    cabin_version: str = "",
) -> asyncpg.Record:
    """Insert a reservation; with `recorded` (actor, action, text, data), its first history entry,
    and with `event`, its domain event, in the same statement: one round trip, and outside a
    transaction, one that commits by itself. With `cabin_version` (accommodation_version's), only
    while the cabin is still that version: otherwise its id reads NULL and NOT NULL refuses the row
    (asyncpg.NotNullViolationError on accommodation_id)."""
    columns = list(values)
    args = [*values.values()]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    if cabin_version:
        args.append(cabin_version)
        n = columns.index("accommodation_id") + 1
        fresh = f"(SELECT id FROM accommodations WHERE id = ${n} AND xmin::text = ${len(args)})"
        placeholders = ", ".join(fresh if i == n else f"${i}" for i in range(1, len(columns) + 1))
    ctes = [f"w AS (INSERT INTO reservations ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *)"]
    if recorded is not None:
        n = len(args)
        ctes.append(
            "h AS (INSERT INTO reservation_history (reservation_id, actor, action, text, data)"
            f" SELECT id, ${n + 1}, ${n + 2}, ${n + 3}, ${n + 4} FROM w)"
        )
        args += recorded
    if event:
        n = len(args)
        # The outbox lock after the row: its exclusion check may wait for another hold's transaction.
        ctes.append(outbox.appending(f"${n + 4}", f"${n + 5}", after="w"))
        ctes.append(f"e AS ({_event_insert(n, 'w')})")
        args += _event_args(event, {})
    return await fetch_one(conn, f"WITH {', '.join(ctes)} " + _WITH_NAME.format(src="w"), *args)


async def update_reservation(conn: Conn, id: int, values: dict[str, Any]) -> asyncpg.Record:
    assignments = ", ".join(f"{c} = ${i}" for i, c in enumerate(values, start=2))
    return await fetch_one(
        conn,
        _returning(f"UPDATE reservations SET {assignments}, updated_at = now() WHERE id = $1"),
        id,
        *values.values(),
    )


async def expire_stale_holds(
    conn: Conn, accommodation_id: int, check_in: date, check_out: date
) -> list[asyncpg.Record]:
    """Expire the run-out holds in the way of a new stay (the sweeper may not have passed yet)."""
    return await conn.fetch(
        _returning(
            "UPDATE reservations SET status = 'expired', updated_at = now()"
            " WHERE accommodation_id = $1 AND period && daterange($2, $3) AND status = 'pre_reserved'"
            " AND expires_at <= now()"
        ),
        accommodation_id,
        check_in,
        check_out,
    )


HoldOwner = Literal["guest_phone", "client_id"]  # the columns open holds are capped by


async def open_holds(conn: Conn, owners: Sequence[tuple[HoldOwner, str]]) -> list[int]:
    """The open holds (pre-reserved, not run out) of each phone or client, counted under a
    transaction-scoped advisory lock on each: a concurrent hold of the same one waits for this
    transaction to end, so it counts the row this one inserts. Two statements whatever the
    number of owners: the count's snapshot must be taken after the locks are held. Locks are
    taken in the order given (phone before client)."""
    locks = ", ".join(
        f"pg_advisory_xact_lock(hashtext(${2 * i + 1}), hashtext(${2 * i + 2}))" for i in range(len(owners))
    )
    await conn.execute(f"SELECT {locks}", *(v for owner, value in owners for v in (f"booking.open.{owner}", value)))
    counts = ", ".join(
        f"(SELECT count(*) FROM reservations WHERE {owner} = ${i} AND status = 'pre_reserved' AND expires_at > now())"
        for i, (owner, _) in enumerate(owners, start=1)
    )
    row = await fetch_one(conn, f"SELECT {counts}", *(value for _, value in owners))
    return list(row.values())


async def expire_due(conn: Conn, limit: int) -> list[asyncpg.Record]:
    """Expire up to `limit` run-out holds; rows other replicas hold are skipped, not waited for."""
    return await conn.fetch(
        _returning(
            "UPDATE reservations SET status = 'expired', updated_at = now() WHERE id IN ("
            " SELECT id FROM reservations WHERE status = 'pre_reserved' AND expires_at <= now()"
            " ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
        ),
        limit,
    )


async def holding_overlap(
    conn: Conn, accommodation_id: int, check_in: date, check_out: date, *, exclude_id: int = 0
) -> asyncpg.Record | None:
    """A holding reservation that shares a night with the stay, if any."""
    return await conn.fetchrow(
        _reservations(
            "r.accommodation_id = $1 AND r.period && daterange($2, $3) AND r.status = ANY($4) AND r.id <> $5"
            " ORDER BY r.check_in LIMIT 1"
        ),
        accommodation_id,
        check_in,
        check_out,
        list(HOLDING),
        exclude_id,
    )


async def busy(conn: Conn, accommodation_ids: list[int], start: date, end: date) -> list[asyncpg.Record]:
    """Holding reservations of these cabins over [start, end); run-out holds do not count."""
    return await conn.fetch(
        "SELECT accommodation_id, check_in, check_out, status FROM reservations"
        " WHERE accommodation_id = ANY($1) AND period && daterange($2, $3) AND status = ANY($4)"
        " AND NOT (status = 'pre_reserved' AND expires_at <= now())"
        " ORDER BY accommodation_id, check_in",
        accommodation_ids,
        start,
        end,
        list(HOLDING),
    )


@asynccontextmanager
async def feed_lock(conn: Conn, accommodation_id: int, source: str) -> AsyncIterator[None]:
    """One sync of a cabin's feed at a time, across the transactions it takes: a session
    advisory lock (the pool's reset on release frees it too, should the unlock not run)."""
    key = f"booking.feed.{accommodation_id}.{source}"
    keeps_session_state(conn)
    await conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", key)
    try:
        yield
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", key)


async def blocks_of(conn: Conn, accommodation_id: int, source: str) -> list[asyncpg.Record]:
    """A feed's blocks. Only a sync of the feed changes them: under `feed_lock` they stay as read."""
    return await conn.fetch(
        _reservations("r.accommodation_id = $1 AND r.external_source = $2 AND r.status = 'blocked'"),
        accommodation_id,
        source,
    )


# Spanish letters with their accent taken off, for a search that ignores accents (and case) without
# the unaccent extension: service roles may not create extensions.
_ACCENTED = "áàâäãéèêëíìîïóòôöõúùûüñçÁÀÂÄÃÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇ"
_PLAIN = "".join(unicodedata.normalize("NFD", c)[0] for c in _ACCENTED)


def _folded(sql: str) -> str:
    """`sql`'s text without accents, in lower case (translated first: lower() of ASCII needs no locale)."""
    return f"lower(translate({sql}, '{_ACCENTED}', '{_PLAIN}'))"


_MATCHES = " OR ".join(
    f"strpos({_folded(c)}, {_folded('$8')}) > 0" for c in ("r.code", "r.guest_name", "r.guest_phone")
)


async def list_reservations(
    conn: Conn,
    *,
    statuses: list[str],
    accommodation_id: int,
    overlapping: tuple[date, date] | None,
    guest_phone: str,
    search: str = "",
    limit: int,
    offset: int,
) -> tuple[list[asyncpg.Record], int]:
    start, end = overlapping or (None, None)
    where = (
        "(cardinality($1::text[]) = 0 OR r.status = ANY($1)) AND ($2::bigint = 0 OR r.accommodation_id = $2)"
        " AND ($3::date IS NULL OR r.period && daterange($3, $4)) AND ($5 = '' OR r.guest_phone = $5)"
        f" AND ($8 = '' OR {_MATCHES})"
    )
    sql = _WITH_NAME.format(src="reservations").replace("SELECT r.*", "SELECT r.*, count(*) OVER () AS total")
    rows = await conn.fetch(
        f"{sql} WHERE {where} ORDER BY r.check_in DESC, r.id DESC LIMIT $6 OFFSET $7",
        statuses,
        accommodation_id,
        start,
        end,
        guest_phone,
        limit,
        offset,
        search,
    )
    return rows, (rows[0]["total"] if rows else 0)


# History ------------------------------------------------------------------------

# (reservation id, actor, action, text, data): one thing that happened to a reservation.
Entry = tuple[int, str, str, str, dict[str, str]]
_HISTORY = "INSERT INTO reservation_history (reservation_id, actor, action, text, data) VALUES ($1, $2, $3, $4, $5)"


async def record(
    conn: Conn, reservation_id: int, actor: str, action: str, text: str = "", data: dict[str, str] | None = None
) -> asyncpg.Record:
    """Add an entry to a reservation's history, in the caller's transaction (the change's own)."""
    return await fetch_one(conn, _HISTORY + " RETURNING *", reservation_id, actor, action, text, data or {})


async def record_all(conn: Conn, entries: Sequence[Entry]) -> None:
    await conn.executemany(_HISTORY, entries)


async def history(conn: Conn, reservation_id: int) -> list[asyncpg.Record]:
    """A reservation's history, oldest first."""
    return await conn.fetch("SELECT * FROM reservation_history WHERE reservation_id = $1 ORDER BY id", reservation_id)


# Outbox -------------------------------------------------------------------------


Event = tuple[str, int, dict[str, Any]]  # type, reservation id, fields added to its snapshot


async def emit(conn: Conn, type: str, reservation_id: int, extra: dict[str, Any] | None = None) -> None:
    """Record a domain event about a reservation, in the caller's transaction."""
    await emit_all(conn, [(type, reservation_id, extra or {})])


async def emit_all(conn: Conn, events: Sequence[Event]) -> None:
    """Record domain events in this order, in the caller's transaction, pipelined: the outbox's
    lock, taken here and held until commit, is not kept waiting on one round trip per event."""
    if not events:
        return
    # The outbox's lock (outbox.py) taken by the insert itself: no round trip of its own.
    sql = f"WITH {outbox.appending('$4', '$5')} {_event_insert(0, 'reservations')} WHERE r.id = $6"
    await conn.executemany(sql, [(*_event_args(type, extra), reservation_id) for type, reservation_id, extra in events])


def _event_insert(n: int, source: str) -> str:
    """An outbox INSERT of the event of each row of `source` (the row as it is now, with its
    cabin's name), joined with the `appending` CTE; `_event_args` binds ${n+1} to ${n+3}."""
    return (
        f"INSERT INTO outbox (type, payload, traceparent) SELECT ${n + 1}, (to_jsonb(r) - 'manage_token_hash')"
        f" || jsonb_build_object('accommodation_name', a.name) || ${n + 2}, ${n + 3}"
        f" FROM appending, {source} r JOIN accommodations a ON a.id = r.accommodation_id"
    )


def _event_args(type: str, extra: dict[str, Any]) -> tuple[Any, ...]:
    """The values of `_event_insert` and of `outbox.appending`; counts the event as written (the
    transactions that write events almost never roll back after it)."""
    if type.startswith("reservation."):
        RESERVATION_EVENTS.labels(type.removeprefix("reservation.")).inc()
    carrier: dict[str, str] = {}
    propagate.inject(carrier)  # links the asynchronous consumers to this request's trace
    return (type, extra, carrier.get("traceparent", ""), *outbox.appending_args(EVENTS_CHANNEL))


async def events_after(conn: Conn, after_id: int, limit: int, *, types: list[str]) -> list[asyncpg.Record]:
    """Events with id > after_id, oldest first, the reservation snapshot typed again. With `types`,
    the others come as `wanted = false` and nothing else: the feed moves past them, so a consumer
    of one kind of event reads each of the rest once, not again after every new one."""
    return await conn.fetch(
        "SELECT o.id AS event_id, k.wanted, w.* FROM (SELECT * FROM outbox WHERE id > $1 ORDER BY id LIMIT $3) o"
        " CROSS JOIN LATERAL (SELECT cardinality($2::text[]) = 0 OR o.type = ANY($2) AS wanted) k"
        " LEFT JOIN LATERAL (SELECT o.type AS event_type, o.occurred_at, o.traceparent,"
        " o.payload->'conflict' AS conflict, o.payload->>'accommodation_name' AS accommodation_name,"
        " o.payload->>'previous_stay' AS previous_stay, o.payload->>'actor' AS event_actor,"
        " o.payload->>'reason' AS event_reason, p.*"
        " FROM jsonb_populate_record(NULL::reservations, o.payload) p WHERE k.wanted) w ON true"
        " ORDER BY o.id",
        after_id,
        types,
        limit,
    )
