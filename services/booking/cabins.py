"""Cabins: create, change, find and list them. What a field may hold is checked
where the request is converted (convert.py) and by the table's constraints."""

import re
import unicodedata
from typing import Any

import asyncpg

from services.booking import store
from services.common.errors import invalid, not_found

REQUIRED = ("name", "capacity", "base_price_minor")


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60]


async def create(pool: asyncpg.Pool, fields: dict[str, Any]) -> asyncpg.Record:
    """A new cabin; its slug comes from its name unless given."""
    fields.setdefault("slug", slugify(fields.get("name", "")))
    for required in REQUIRED:
        if not fields.get(required):
            raise invalid("MISSING_FIELD", f"Falta {required}.")
    async with pool.acquire() as conn:
        return await store.insert_accommodation(conn, fields)


async def update(pool: asyncpg.Pool, id: int, fields: dict[str, Any]) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await store.update_accommodation(conn, id, fields)
    if row is None:
        raise not_found(f"No existe la cabaña {id}.")
    return row


async def find(pool: asyncpg.Pool, *, id: int, slug: str) -> asyncpg.Record:
    """The cabin with that slug, or else with that id."""
    async with pool.acquire() as conn:
        row = await store.get_accommodation(conn, id=id, slug=slug)
    if row is None:
        raise not_found("No existe esa cabaña.")
    return row


async def listing(
    pool: asyncpg.Pool, *, include_inactive: bool, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    """A page of cabins by name, and how many there are in all."""
    async with pool.acquire() as conn:
        return await store.list_accommodations(conn, include_inactive=include_inactive, limit=limit, offset=offset)
