"""SQL of the messaging schema."""

from datetime import datetime
from typing import Any

import asyncpg

from services.common.db import Conn, fetch_one
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


# Conversations with their last message (in or out): its text and time.
_CONVERSATIONS = (
    "SELECT c.*, last.text AS last_text, last.at AS last_at FROM conversations c LEFT JOIN LATERAL"
    " (SELECT text, at FROM ((SELECT text, received_at AS at FROM inbox WHERE phone = c.phone ORDER BY id DESC LIMIT 1)"
    " UNION ALL (SELECT text, created_at FROM outbox WHERE phone = c.phone ORDER BY id DESC LIMIT 1)) m"
    " ORDER BY at DESC LIMIT 1) last ON true"
)


async def conversation(conn: Conn, phone: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"{_CONVERSATIONS} WHERE c.phone = $1", phone)


async def conversations(conn: Conn, waiting_only: bool, limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
    """Conversations of guests who wrote: those waiting for a person first (the longest wait
    first), then the others by their last message, newest first."""
    rows = await conn.fetch(
        f"SELECT *, count(*) OVER () AS total FROM ({_CONVERSATIONS}"
        " WHERE c.last_inbound_at IS NOT NULL AND (NOT $1 OR c.waiting_since IS NOT NULL)) listed"
        " ORDER BY waiting_since NULLS LAST, last_at DESC NULLS LAST, phone LIMIT $2 OFFSET $3",
        waiting_only,
        limit,
        offset,
    )
    return rows, (rows[0]["total"] if rows else 0)


async def touch_conversation(
    conn: Conn, phone: str, name: str, at: datetime, handoff: bool | None, received_at: datetime | None = None
) -> datetime | None:
    """A guest's message sent at `at` (reaching us at `received_at`, default `at`); `handoff` True
    when it sent the conversation to a person. While with a person, a message that reached us
    after the person's last reply makes the guest wait (since the first such message). Reaching
    us, not sent: WhatsApp's times are whole seconds, and a reply that same second came first.
    Returns since when the guest waits when this message started the wait (the team is told), else None."""
    started: datetime | None = await conn.fetchval(
        "WITH before AS (SELECT waiting_since FROM conversations WHERE phone = $1)"
        " INSERT INTO conversations (phone, name, last_inbound_at, handoff, waiting_since)"
        " VALUES ($1, $2, $3, coalesce($4, false), CASE WHEN $4::boolean THEN $3::timestamptz END)"
        " ON CONFLICT (phone) DO UPDATE SET name = coalesce(nullif($2, ''), conversations.name),"
        " last_inbound_at = greatest(conversations.last_inbound_at, $3),"
        " handoff = coalesce($4, conversations.handoff),"
        " waiting_since = CASE WHEN NOT coalesce($4, conversations.handoff) THEN NULL"
        " WHEN coalesce($5, $3) > coalesce(conversations.replied_at, '-infinity')"
        " THEN coalesce(conversations.waiting_since, $3) ELSE conversations.waiting_since END,"
        " updated_at = now()"
        " RETURNING CASE WHEN NOT EXISTS (SELECT FROM before WHERE waiting_since IS NOT NULL) THEN waiting_since END",
        phone,
        name,
        at,
        handoff,
        received_at,
    )
    return started


async def record_alert(conn: Conn, kind: str, key: str, lines: list[str], link: str) -> bool:
    """Write one of the team's alerts once per key (alerts.py delivers it); False when it was written before."""
    inserted = await conn.fetchval(
        "INSERT INTO alerts (kind, key, lines, link) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING RETURNING id",
        kind,
        key,
        lines,
        link,
    )
    return inserted is not None


async def set_handoff(conn: Conn, phone: str, active: bool) -> bool:
    """A person takes the conversation (True) or gives it back to the bot, and then nobody waits;
    False when the phone has no conversation."""
    updated = await conn.fetchval(
        "UPDATE conversations SET handoff = $2, waiting_since = CASE WHEN $2 THEN waiting_since END,"
        " updated_at = now() WHERE phone = $1 RETURNING phone",
        phone,
        active,
    )
    return updated is not None


async def set_opted_out(conn: Conn, phone: str, out: bool) -> None:
    """The guest asked not to be written (True: since now, the first time) or to be written again."""
    await conn.execute(
        "UPDATE conversations SET opted_out_at = CASE WHEN $2 THEN coalesce(opted_out_at, now()) END,"
        " updated_at = now() WHERE phone = $1",
        phone,
        out,
    )


async def replied(conn: Conn, phone: str) -> None:
    """A person answered: the conversation is theirs (the bot stays quiet) and the guest waits no more."""
    await conn.execute(
        "UPDATE conversations SET handoff = true, waiting_since = NULL, replied_at = now(), updated_at = now()"
        " WHERE phone = $1",
        phone,
    )


async def enqueue(
    conn: Conn,
    phone: str,
    out: Outgoing,
    status: str,
    dedupe_key: str,
    answers: asyncpg.Record | None = None,
    author: str = "",
) -> bool:
    """Queue a message once per dedupe key; False when it was queued before.
    `answers` is the inbox row a reply answers (its latency is measured when sent);
    `author` the person who wrote it ("" for the bot)."""
    inserted = await conn.fetchval(
        "INSERT INTO outbox (phone, type, text, payload, status, dedupe_key, answers_received_at, answers_type, author)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        phone,
        out.type,
        out.text,
        out.body,
        status,
        dedupe_key,
        answers and answers["received_at"],
        answers and answers["type"],
        author,
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


_OUTBOUND = "SELECT coalesce(wamid, '') AS wamid, 'outbound' AS direction, type, text, created_at AS at, status, author"


async def recent(conn: Conn, phone: str, limit: int) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "(SELECT wamid, 'inbound' AS direction, type, text, received_at AS at, '' AS status, '' AS author FROM inbox"
        f" WHERE phone = $1 ORDER BY id DESC LIMIT $2) UNION ALL ({_OUTBOUND} FROM outbox WHERE phone = $1"
        " ORDER BY id DESC LIMIT $2) ORDER BY at DESC LIMIT $2",
        phone,
        limit,
    )
    return [dict(r) for r in reversed(rows)]


async def queued(conn: Conn, dedupe_key: str) -> dict[str, Any]:
    """The message queued under a key, shaped as `recent`'s."""
    return dict(await fetch_one(conn, f"{_OUTBOUND} FROM outbox WHERE dedupe_key = $1", dedupe_key))
