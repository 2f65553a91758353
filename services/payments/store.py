"""SQL of the payments schema."""

from datetime import datetime
from typing import Any

import asyncpg
from opentelemetry import propagate

from services.common import outbox
from services.common.db import Conn, fetch_one

EVENTS_CHANNEL = "payments_events"


async def insert_notification(
    conn: Conn,
    *,
    topic: str,
    resource_id: str,
    action: str,
    source: str,
    body: bytes,
    query: dict[str, str],
    headers: dict[str, str],
    received_at: datetime,
    traceparent: str,
) -> int:
    return int(
        await conn.fetchval(
            "INSERT INTO notifications (topic, resource_id, action, source, body, query, headers, received_at, traceparent)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            topic,
            resource_id,
            action,
            source,
            body,
            query,
            headers,
            received_at,
            traceparent,
        )
    )


async def claim_due(conn: Conn, limit: int, lease_seconds: float) -> list[asyncpg.Record]:
    """Lease due notifications for processing; other replicas skip them until the lease ends."""
    return await conn.fetch(
        "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)"
        " WHERE id IN (SELECT id FROM notifications WHERE processed_at IS NULL AND next_attempt_at <= now()"
        " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING *",
        limit,
        lease_seconds,
    )


async def pending_count(conn: Conn) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM notifications WHERE processed_at IS NULL"))


async def reschedule(conn: Conn, notification_id: int, delay_seconds: float, error: str) -> None:
    await conn.execute(
        "UPDATE notifications SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1",
        notification_id,
        delay_seconds,
        error[:500],
    )


async def mark_processed(conn: Conn, notification_id: int, note: str | None = None) -> None:
    await conn.execute(
        "UPDATE notifications SET processed_at = now(), last_error = $2 WHERE id = $1", notification_id, note
    )


async def reopen(conn: Conn, notification_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "UPDATE notifications SET processed_at = NULL, next_attempt_at = now() WHERE id = $1 RETURNING *",
        notification_id,
    )


async def lock_payment(conn: Conn, external_id: str) -> asyncpg.Record:
    """The payment's row, created if new, locked until commit: concurrent
    notifications of one payment are applied one after the other."""
    await conn.execute("INSERT INTO payments (external_id) VALUES ($1) ON CONFLICT DO NOTHING", external_id)
    return await fetch_one(conn, "SELECT * FROM payments WHERE external_id = $1 FOR UPDATE", external_id)


async def update_payment(conn: Conn, payment_id: int, values: dict[str, Any]) -> asyncpg.Record:
    assignments = ", ".join(f"{c} = ${i}" for i, c in enumerate(values, start=2))
    return await fetch_one(
        conn,
        f"UPDATE payments SET {assignments}, updated_at = now() WHERE id = $1 RETURNING *",
        payment_id,
        *values.values(),
    )


async def claim_confirmation(conn: Conn, reservation_code: str, external_id: str) -> tuple[str, bool]:
    """The payment booking is asked to confirm the reservation with: this one when none was
    before (True: claimed now), else the one that was (False)."""
    while True:
        claimed = await conn.fetchval(
            "INSERT INTO confirmations (reservation_code, external_id) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING RETURNING external_id",
            reservation_code,
            external_id,
        )
        if claimed is not None:
            return str(claimed), True
        # A statement of its own: it sees the row a concurrent claim committed after ours began.
        holder = await conn.fetchval(
            "SELECT external_id FROM confirmations WHERE reservation_code = $1", reservation_code
        )
        if holder is not None:  # else released meanwhile: claim again
            return str(holder), False


async def confirmation_holder(conn: Conn, reservation_code: str) -> str | None:
    """The payment that confirmed the reservation (or is confirming it), if any."""
    holder = await conn.fetchval("SELECT external_id FROM confirmations WHERE reservation_code = $1", reservation_code)
    return None if holder is None else str(holder)


async def release_confirmation(conn: Conn, reservation_code: str, external_id: str) -> None:
    await conn.execute(
        "DELETE FROM confirmations WHERE reservation_code = $1 AND external_id = $2", reservation_code, external_id
    )


async def get_payment(conn: Conn, external_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM payments WHERE external_id = $1", external_id)


async def list_payments(
    conn: Conn, reservation_code: str, statuses: list[str], limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    rows = await conn.fetch(
        "SELECT *, count(*) OVER () AS total FROM payments WHERE ($1 = '' OR reservation_code = $1)"
        " AND (cardinality($2::text[]) = 0 OR status = ANY($2)) AND status <> 'unknown'"
        " ORDER BY last_event_at DESC NULLS LAST, id DESC LIMIT $3 OFFSET $4",
        reservation_code,
        statuses,
        limit,
        offset,
    )
    return rows, (rows[0]["total"] if rows else 0)


async def emit(conn: Conn, type: str, payment_id: int, refund_id: int | None = None) -> None:
    """The event: the payment as it is now, and the refund it is about (`refund_id`) as it is now."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    await outbox.before_append(conn, EVENTS_CHANNEL)
    await conn.execute(
        "INSERT INTO outbox (type, payload, traceparent) SELECT $1, to_jsonb(p) || jsonb_build_object('refund',"
        " (SELECT to_jsonb(f) FROM refunds f WHERE f.id = $4)), $3 FROM payments p WHERE p.id = $2",
        type,
        payment_id,
        carrier.get("traceparent", ""),
        refund_id,
    )


async def events_after(conn: Conn, after_id: int, limit: int) -> list[asyncpg.Record]:
    """Events after the cursor: the payment's columns, and `refund` (a dict, or None)."""
    return await conn.fetch(
        "SELECT o.id AS event_id, o.type AS event_type, o.occurred_at, o.traceparent, o.payload -> 'refund' AS refund,"
        " p.* FROM outbox o, jsonb_populate_record(NULL::payments, o.payload) p WHERE o.id > $1 ORDER BY o.id LIMIT $2",
        after_id,
        limit,
    )


async def get_link(conn: Conn, code: str, kind: str = "deposit") -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM payment_links WHERE reservation_code = $1 AND kind = $2", code, kind)


async def _insert_new(conn: Conn, table: str, values: dict[str, Any]) -> asyncpg.Record | None:
    """The row inserted; None when one with the same key was there."""
    columns = ", ".join(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    return await conn.fetchrow(
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT DO NOTHING RETURNING *",
        *values.values(),
    )


async def insert_payment(conn: Conn, values: dict[str, Any]) -> tuple[asyncpg.Record, bool]:
    """A payment recorded by hand and True, or the one recorded before with its external_id and
    False (a concurrent insert of it is waited for: it committed when this returns)."""
    row = await _insert_new(conn, "payments", values)
    if row is not None:
        return row, True
    return await fetch_one(conn, "SELECT * FROM payments WHERE external_id = $1", values["external_id"]), False


async def insert_link(conn: Conn, values: dict[str, Any]) -> asyncpg.Record:
    row = await _insert_new(conn, "payment_links", values)
    return row or await fetch_one(
        conn,
        "SELECT * FROM payment_links WHERE reservation_code = $1 AND kind = $2",
        values["reservation_code"],
        values.get("kind", "deposit"),
    )


async def put_link(conn: Conn, values: dict[str, Any]) -> asyncpg.Record:
    """The link of that reservation and kind, inserted or replaced (a balance link whose amount changed)."""
    columns = ", ".join(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    updates = ", ".join(f"{c} = excluded.{c}" for c in values if c not in ("reservation_code", "kind"))
    return await fetch_one(
        conn,
        f"INSERT INTO payment_links ({columns}) VALUES ({placeholders})"
        f" ON CONFLICT (reservation_code, kind) DO UPDATE SET {updates}, created_at = now() RETURNING *",
        *values.values(),
    )


async def lock_reservation(conn: Conn, code: str) -> None:
    """Until commit, the payments of one reservation are counted one after the other."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('payments.reservation.' || $1))", code)


async def paid_minor(conn: Conn, code: str, currency: str, excluding: str = "") -> int:
    """What the reservation's payments brought in, in its currency, before refunds: approved ones and
    those refunded since (their refunds count as refunded); `excluding` a payment being decided."""
    return int(
        await conn.fetchval(
            "SELECT coalesce(sum(amount_minor), 0) FROM payments WHERE reservation_code = $1 AND currency = $2"
            " AND status IN ('approved', 'refunded') AND external_id <> $3",
            code,
            currency,
            excluding,
        )
    )


async def links_to_reconcile(conn: Conn, within_seconds: float) -> list[str]:
    """Open links whose hold ends soon and for which no approved payment is known."""
    rows = await conn.fetch(
        "UPDATE payment_links l SET reconciled_at = now() WHERE l.expires_at BETWEEN now() - interval '1 hour'"
        " AND now() + make_interval(secs => $1)"
        " AND (l.reconciled_at IS NULL OR l.reconciled_at < now() - make_interval(secs => $1 / 4))"
        " AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.reservation_code = l.reservation_code"
        " AND p.status = 'approved') RETURNING reservation_code",
        within_seconds,
    )
    return [r["reservation_code"] for r in rows]


async def known_status(conn: Conn, external_id: str) -> str | None:
    status = await conn.fetchval("SELECT status FROM payments WHERE external_id = $1", external_id)
    return None if status is None else str(status)
