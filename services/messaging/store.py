"""SQL of the messaging schema."""

from datetime import datetime
from typing import Any

import asyncpg

from services.common.db import Conn
from services.messaging.interactive import Outgoing
from services.messaging.whatsapp import Inbound, Status


async def store_inbound(conn: Conn, messages: list[Inbound], traceparent: str) -> tuple[list[str], list[str]]:
    """Store new messages (a duplicate delivery changes nothing): (new ids, duplicate ids)."""
    new: list[str] = []
    duplicate: list[str] = []
    for m in messages:
        inserted = await conn.fetchval(
            "INSERT INTO inbox (wamid, phone, name, type, text, payload, sent_at, traceparent)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (wamid) DO NOTHING RETURNING id",
            m.wamid,
            m.phone,
            m.name,
            m.type,
            m.text,
            m.payload,
            m.sent_at,
            traceparent,
        )
        (new if inserted else duplicate).append(m.wamid)
    return new, duplicate


async def store_statuses(conn: Conn, statuses: list[Status]) -> int:
    for s in statuses:
        await conn.execute(
            "INSERT INTO statuses (wamid, status, at, recipient, errors) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT DO NOTHING",
            s.wamid,
            s.status,
            s.at,
            s.recipient,
            s.errors,
        )
        await conn.execute("UPDATE outbox SET status = $2 WHERE wamid = $1 AND status <> 'failed'", s.wamid, s.status)
    return len(statuses)


async def phones_with_work(conn: Conn, limit: int) -> list[str]:
    rows = await conn.fetch(
        "SELECT phone FROM inbox WHERE processed_at IS NULL AND next_attempt_at <= now()"
        " GROUP BY phone ORDER BY min(id) LIMIT $1",
        limit,
    )
    return [r["phone"] for r in rows]


async def next_inbound(conn: Conn, phone: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM inbox WHERE phone = $1 AND processed_at IS NULL ORDER BY id LIMIT 1", phone
    )


async def conversation(conn: Conn, phone: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM conversations WHERE phone = $1", phone)


async def touch_conversation(conn: Conn, phone: str, name: str, at: datetime, handoff: bool | None) -> None:
    await conn.execute(
        "INSERT INTO conversations (phone, name, last_inbound_at, handoff) VALUES ($1, $2, $3, coalesce($4, false))"
        " ON CONFLICT (phone) DO UPDATE SET name = coalesce(nullif($2, ''), conversations.name),"
        " last_inbound_at = greatest(conversations.last_inbound_at, $3),"
        " handoff = coalesce($4, conversations.handoff), updated_at = now()",
        phone,
        name,
        at,
        handoff,
    )


async def set_handoff(conn: Conn, phone: str, active: bool) -> None:
    await conn.execute(
        "INSERT INTO conversations (phone, handoff) VALUES ($1, $2)"
        " ON CONFLICT (phone) DO UPDATE SET handoff = $2, updated_at = now()",
        phone,
        active,
    )


async def enqueue(
    conn: Conn,
    phone: str,
    out: Outgoing,
    status: str,
    dedupe_key: str,
    answers: asyncpg.Record | None = None,
) -> bool:
    """Queue a message once per dedupe key; False when it was queued before.
    `answers` is the inbox row a reply answers (its latency is measured when sent)."""
    inserted = await conn.fetchval(
        "INSERT INTO outbox (phone, type, text, payload, status, dedupe_key, answers_received_at, answers_type)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        phone,
        out.type,
        out.text,
        out.body,
        status,
        dedupe_key,
        answers and answers["received_at"],
        answers and answers["type"],
    )
    return inserted is not None


async def mark_processed(conn: Conn, inbox_id: int) -> None:
    await conn.execute("UPDATE inbox SET processed_at = now(), last_error = NULL WHERE id = $1", inbox_id)


async def defer(conn: Conn, inbox_id: int, seconds: float, error: str, failed: bool) -> None:
    """Try the message again in `seconds`; `failed`: the failure was its own (not another service down)."""
    await conn.execute(
        "UPDATE inbox SET attempts = attempts + 1, failures = failures + $4::int, last_error = $3,"
        " next_attempt_at = now() + make_interval(secs => $2) WHERE id = $1",
        inbox_id,
        seconds,
        error[:500],
        failed,
    )


async def dead_letter(conn: Conn, inbox_id: int, error: str) -> None:
    """Give up on the message: processed (later ones go on), marked dead-lettered with its last error."""
    await conn.execute(
        "UPDATE inbox SET attempts = attempts + 1, failures = failures + 1, last_error = $2,"
        " processed_at = now(), dead_lettered_at = now() WHERE id = $1",
        inbox_id,
        error[:500],
    )


SEND_LEASE_SECONDS = 60  # a claimed reply is someone's for this long


async def claim_sends(conn: Conn) -> list[asyncpg.Record]:
    """Lease queued messages; one per phone at a time, oldest first, so a guest's replies keep their order."""
    return await conn.fetch(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $1)"
        " WHERE id IN (SELECT DISTINCT ON (phone) id FROM outbox WHERE status = 'queued'"
        " ORDER BY phone, id) AND next_attempt_at <= now() RETURNING *",
        SEND_LEASE_SECONDS,
    )


async def backlog(conn: Conn) -> tuple[int, int]:
    """(inbound messages not processed yet, replies waiting to be sent)."""
    [row] = await conn.fetch(
        "SELECT (SELECT count(*) FROM inbox WHERE processed_at IS NULL) AS inbox,"
        " (SELECT count(*) FROM outbox WHERE status = 'queued') AS outbox"
    )
    return row["inbox"], row["outbox"]


async def sent(conn: Conn, outbox_id: int, wamid: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'sent', wamid = $2, sent_at = now(), error = NULL WHERE id = $1", outbox_id, wamid
    )


async def send_failed(conn: Conn, outbox_id: int, error: str, retry_in: float | None) -> None:
    if retry_in is None:
        await conn.execute("UPDATE outbox SET status = 'failed', error = $2 WHERE id = $1", outbox_id, error[:500])
    else:
        await conn.execute(
            "UPDATE outbox SET error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1",
            outbox_id,
            error[:500],
            retry_in,
        )


async def outbox(conn: Conn, phone: str, after_id: int, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM outbox WHERE ($1 = '' OR phone = $1) AND id > $2 ORDER BY id LIMIT $3", phone, after_id, limit
    )


async def recent(conn: Conn, phone: str, limit: int) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "(SELECT wamid, 'inbound' AS direction, type, text, received_at AS at, '' AS status FROM inbox WHERE phone = $1"
        " ORDER BY id DESC LIMIT $2) UNION ALL (SELECT coalesce(wamid, ''), 'outbound', type, text, created_at, status"
        " FROM outbox WHERE phone = $1 ORDER BY id DESC LIMIT $2) ORDER BY at DESC LIMIT $2",
        phone,
        limit,
    )
    return [dict(r) for r in reversed(rows)]
