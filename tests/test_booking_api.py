"""Booking through the gateway over HTTP: races, bad input, privacy of guest data, admin."""

import asyncio
import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg
import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2_grpc
from devtools.devstack import stop_children
from devtools.embedded import free_port
from services.booking.tests.helpers import make_cabin
from tests.stack import Infra, Stack, admin_token, stack_env, start_stack
from testsupport.otlp import OtlpReceiver


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


def body(cabin_id: int, start: int, end: int, **extra: object) -> dict[str, object]:
    return {
        "accommodation_id": cabin_id,
        "check_in": day(start),
        "check_out": day(end),
        "guests": 2,
        "guest_name": "Ana Pérez",
        "guest_phone": "+5491155555555",
        **extra,
    }


async def _holding(infra: Infra, cabin_id: int) -> list[tuple[date, date]]:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        rows = await conn.fetch(
            "SELECT check_in, check_out FROM booking.reservations WHERE accommodation_id = $1"
            " AND status IN ('pre_reserved', 'confirmed', 'blocked') ORDER BY check_in",
            cabin_id,
        )
        overlaps = await conn.fetchval(
            "SELECT count(*) FROM booking.reservations a JOIN booking.reservations b ON a.id < b.id"
            " AND a.accommodation_id = b.accommodation_id AND a.period && b.period"
            " WHERE a.status IN ('pre_reserved', 'confirmed', 'blocked')"
            " AND b.status IN ('pre_reserved', 'confirmed', 'blocked')"
        )
        assert overlaps == 0, "double booking"
        return [(r["check_in"], r["check_out"]) for r in rows]
    finally:
        await conn.close()


async def _race(url: str, bodies: list[dict[str, object]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(bodies))
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        return await asyncio.gather(*(client.post("/api/v1/reservations", json=b) for b in bodies))


async def _exactly_one_per_conflicting_set(url: str, cabin_id: int, infra: Infra) -> None:
    # 100 requests: 20 for one identical range, then 8 groups of 10 partly overlapping ranges
    # (every range of a group contains the group's middle night; groups are far apart).
    identical = [body(cabin_id, 30, 33) for _ in range(20)]
    groups = [
        body(cabin_id, 40 + 10 * g + offset, 40 + 10 * g + offset + length)
        for g in range(8)
        for offset, length in [(0, 3), (1, 2), (2, 1), (0, 4), (1, 3), (2, 2), (0, 5), (2, 3), (1, 4), (0, 3)]
    ]
    replies = await _race(url, identical + groups)
    assert len(replies) == 100
    statuses = [r.status_code for r in replies]
    assert set(statuses) <= {201, 409}, [r.text for r in replies if r.status_code not in (201, 409)]
    assert statuses[:20].count(201) == 1
    for g in range(8):
        assert statuses[20 + 10 * g : 30 + 10 * g].count(201) == 1, g
    losers = [r.json() for r in replies if r.status_code == 409]
    assert {e["error"]["code"] for e in losers} == {"dates_unavailable"}
    assert len(await _holding(infra, cabin_id)) == 9


async def test_concurrent_holds_one_winner_per_conflicting_set(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking, capacity=4)
    await _exactly_one_per_conflicting_set(stack.gateway_url, cabin.id, infra)


async def test_concurrent_holds_with_redis_down(infra: Infra, otlp: OtlpReceiver) -> None:
    metrics_port = free_port()
    env = stack_env(infra, otlp) | {
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        "METRICS_PORT": str(metrics_port),
    }
    own = start_stack(env, services=("booking",))
    try:
        with grpc.insecure_channel(own.addr("booking")) as channel:
            cabin = make_cabin(booking_pb2_grpc.BookingServiceStub(channel))
        await _exactly_one_per_conflicting_set(own.gateway_url, cabin.id, infra)
        async with httpx.AsyncClient() as client:
            metrics = (await client.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
        failures = [
            line
            for line in metrics.splitlines()
            if line.startswith('booking_lock_failures_total{reason="redis_error"}')
        ]
        assert failures and float(failures[0].split()[-1]) >= 100
    finally:
        stop_children(own.processes)


def test_create_read_cancel_with_the_manage_token(stack: Stack, booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    created = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations", json=body(cabin.id, 40, 43, guest_email="ana@example.com")
    )
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["status"] == "pre_reserved" and out["code"].startswith("RES")
    assert out["total"] == 3 * 50_000_00 and out["deposit"] == 45_000_00 and out["currency"] == "ARS"
    assert out["expires_at"] and out["guest_phone"] == "+5491155555555"
    token, url = out["manage_token"], f"{stack.gateway_url}/api/v1/reservations/{out['code']}"

    public = httpx.get(url).json()
    assert public["status"] == "pre_reserved" and public["check_in"] == day(40)
    assert not {"guest_name", "guest_phone", "guest_email", "manage_token"} & set(public)
    assert "guest_phone" not in httpx.get(url, headers={"X-Manage-Token": "wrong"}).json()
    assert httpx.get(url, headers={"X-Manage-Token": token}).json()["guest_phone"] == "+5491155555555"
    assert httpx.get(url, headers={"Authorization": f"Bearer {admin_token()}"}).json()["guest_name"] == "Ana Pérez"

    assert httpx.post(f"{url}/cancel").status_code == 401
    assert httpx.post(f"{url}/cancel", headers={"X-Manage-Token": "wrong"}).status_code == 403
    assert httpx.get(url).json()["status"] == "pre_reserved"
    cancelled = httpx.post(f"{url}/cancel", headers={"X-Manage-Token": token})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_idempotency_key_header_replays(stack: Stack, booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    first = httpx.post(f"{stack.gateway_url}/api/v1/reservations", json=body(cabin.id, 40, 42), headers=headers)
    second = httpx.post(f"{stack.gateway_url}/api/v1/reservations", json=body(cabin.id, 40, 42), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["code"] == second.json()["code"]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"check_in": day(-5), "check_out": day(-2)}, 422, "dates_in_past"),
        ({"check_in": day(44), "check_out": day(40)}, 422, "invalid_range"),
        ({"guests": 0}, 422, "validation_error"),
        ({"guests": 9}, 422, "capacity_exceeded"),
        ({"accommodation_id": 10**12}, 404, "not_found"),
        ({"guest_phone": "1155555555"}, 422, "validation_error"),
        ({"check_in": "2027-02-30"}, 422, "validation_error"),
        ({"unexpected": "field"}, 422, "validation_error"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, infra: Infra, change: dict, status: int, code: str
) -> None:
    cabin = make_cabin(booking)
    async with httpx.AsyncClient() as client:
        reply = await client.post(f"{stack.gateway_url}/api/v1/reservations", json=body(cabin.id, 40, 43) | change)
    assert reply.status_code == status, reply.text
    assert reply.json()["error"]["code"] == code
    assert await _holding(infra, cabin.id) == []


def test_malformed_json_is_422(stack: Stack) -> None:
    reply = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations",
        content=b'{"accommodation_id": 1,',
        headers={"Content-Type": "application/json"},
    )
    assert reply.status_code == 422 and reply.json()["error"]["code"] == "validation_error"


def test_no_public_route_confirms(stack: Stack) -> None:
    spec = httpx.get(f"{stack.gateway_url}/openapi.json").json()
    confirming = [path for path in spec["paths"] if "confirm" in path]
    assert confirming == ["/api/v1/admin/reservations/{code}/confirm"]
    assert httpx.post(f"{stack.gateway_url}/api/v1/reservations/RES000000AAAAAA/confirm").status_code in (404, 405)
    assert httpx.post(f"{stack.gateway_url}{confirming[0].replace('{code}', 'X')}").status_code == 401


def test_availability_endpoint(stack: Stack, booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking, capacity=3)
    url = f"{stack.gateway_url}/api/v1/accommodations/{cabin.id}/availability"
    free = httpx.get(url, params={"check_in": day(40), "check_out": day(42), "guests": 2}).json()
    assert free["available"] is True and free["quote"]["nights"] == 2 and free["quote"]["total"] == 2 * 50_000_00
    httpx.post(f"{stack.gateway_url}/api/v1/reservations", json=body(cabin.id, 41, 43))
    taken = httpx.get(url, params={"check_in": day(40), "check_out": day(42), "guests": 2}).json()
    assert taken["available"] is False and taken["reason"] == "dates_unavailable" and taken["quote"] is None
    assert [(b["check_in"], b["check_out"]) for b in taken["busy"]] == [(day(41), day(43))]
    crowd = httpx.get(url, params={"check_in": day(50), "check_out": day(52), "guests": 5}).json()
    assert crowd["reason"] == "capacity_exceeded"
    assert httpx.get(url, params={"check_in": day(-3), "check_out": day(-1)}).status_code == 422
    listed = httpx.get(f"{stack.gateway_url}/api/v1/accommodations").json()
    assert any(a["id"] == cabin.id and a["capacity"] == 3 for a in listed)
    assert httpx.get(f"{stack.gateway_url}/api/v1/accommodations/{cabin.id}").json()["name"] == cabin.name
    assert httpx.get(f"{stack.gateway_url}/api/v1/accommodations/999999999").status_code == 404


def test_admin_routes_need_an_admin_token(stack: Stack) -> None:
    url = f"{stack.gateway_url}/api/v1/admin/reservations"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Bearer {admin_token(role='guest')}"}).status_code == 403
    assert httpx.get(url, headers={"Authorization": f"Bearer {admin_token(expires_in=-10)}"}).status_code == 401
    assert (
        httpx.get(
            url, headers={"Authorization": f"Bearer {admin_token(secret='another-secret-0123456789abcdef-0123456789')}"}
        ).status_code
        == 401
    )
    assert httpx.get(url, headers={"Authorization": "Basic abc"}).status_code == 401
    spec = httpx.get(f"{stack.gateway_url}/openapi.json").json()
    for path, methods in spec["paths"].items():
        if path.startswith("/api/v1/admin"):
            for method in methods:
                assert (
                    httpx.request(method, f"{stack.gateway_url}{path}".replace("{", "").replace("}", "")).status_code
                    == 401
                )


def test_admin_manages_cabins_and_lists_reservations(stack: Stack) -> None:
    auth = {"Authorization": f"Bearer {admin_token()}"}
    created = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/accommodations",
        headers=auth,
        json={
            "name": f"Cabaña del Lago {uuid.uuid4().hex[:6]}",
            "capacity": 4,
            "nightly_price": 85_000_00,
            "weekend_multiplier_percent": 120,
            "seasons": [
                {"name": "Alta", "start": day(100), "end": day(130), "multiplier_percent": 150, "min_nights": 3}
            ],
            "amenities": ["wifi", "parrilla"],
        },
    )
    assert created.status_code == 201, created.text
    cabin = created.json()
    assert cabin["slug"].startswith("cabana-del-lago-") and cabin["seasons"][0]["min_nights"] == 3
    patched = httpx.patch(
        f"{stack.gateway_url}/api/v1/admin/accommodations/{cabin['id']}", headers=auth, json={"capacity": 6}
    )
    assert (
        patched.status_code == 200 and patched.json()["capacity"] == 6 and patched.json()["nightly_price"] == 85_000_00
    )
    dup = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/accommodations",
        headers=auth,
        json={"name": "x", "slug": cabin["slug"], "capacity": 2, "nightly_price": 1},
    )
    assert dup.status_code == 409
    httpx.post(
        f"{stack.gateway_url}/api/v1/reservations", json=body(cabin["id"], 40, 42) | {"guest_phone": "+5491144444444"}
    )
    page = httpx.get(
        f"{stack.gateway_url}/api/v1/admin/reservations",
        headers=auth,
        params={"accommodation_id": cabin["id"], "status": "pre_reserved", "phone": "+5491144444444"},
    ).json()
    assert page["total"] == 1 and page["items"][0]["guest_phone"] == "+5491144444444"
    code = page["items"][0]["code"]
    forced = httpx.post(f"{stack.gateway_url}/api/v1/admin/reservations/{code}/confirm", headers=auth)
    assert forced.status_code == 200 and forced.json()["status"] == "confirmed"


def _created_cabin(stack: Stack, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    """A cabin made through the admin API with `fields` besides its name, capacity and price."""
    body = {"name": f"Cabaña del Río {uuid.uuid4().hex[:6]}", "capacity": 4, "nightly_price": 1, **fields}
    created = httpx.post(f"{stack.gateway_url}/api/v1/admin/accommodations", headers=auth, json=body)
    assert created.status_code == 201, created.text
    cabin: dict[str, Any] = created.json()
    return cabin


def test_admin_writes_the_answers_guests_read(stack: Stack) -> None:
    auth = {"Authorization": f"Bearer {admin_token()}"}
    admin = f"{stack.gateway_url}/api/v1/admin/accommodations"
    answers = {"pets": "Se aceptan mascotas chicas, con aviso.", "wifi": "  Sí, wifi de fibra en toda la casa. "}
    cabin = _created_cabin(stack, auth, guest_info=answers)
    assert cabin["guest_info"]["wifi"] == "Sí, wifi de fibra en toda la casa." and cabin["guest_info"]["pool"] == ""
    patched = httpx.patch(
        f"{admin}/{cabin['id']}", headers=auth, json={"guest_info": {"parking": "Cochera para un auto.", "wifi": ""}}
    )
    assert patched.status_code == 200, patched.text
    read = httpx.get(f"{stack.gateway_url}/api/v1/accommodations/{cabin['id']}").json()["guest_info"]
    assert (read["pets"], read["parking"], read["wifi"]) == (answers["pets"], "Cochera para un auto.", "")
    too_long = httpx.patch(f"{admin}/{cabin['id']}", headers=auth, json={"guest_info": {"pets": "x" * 1001}})
    unknown = httpx.patch(f"{admin}/{cabin['id']}", headers=auth, json={"guest_info": {"sauna": "Sí."}})
    assert (too_long.status_code, unknown.status_code) == (422, 422)


def test_the_owners_words_for_the_guests_journey_are_the_admin_apis_only(stack: Stack) -> None:
    auth = {"Authorization": f"Bearer {admin_token()}"}
    admin = f"{stack.gateway_url}/api/v1/admin/accommodations"
    words = {"keys": "En la caja con candado, código 4521.", "review_url": "https://g.page/r/cabana-del-rio/review"}
    cabin = _created_cabin(stack, auth, guest_messages=words)
    assert cabin["guest_messages"] == {"arrival_note": "", "departure_note": "", "confirmed_note": "", **words}
    patched = httpx.patch(
        f"{admin}/{cabin['id']}", headers=auth, json={"guest_messages": {"departure_note": "Dejen la llave adentro."}}
    )
    assert patched.status_code == 200, patched.text
    read = httpx.get(f"{admin}/{cabin['id']}", headers=auth).json()["guest_messages"]
    assert (read["keys"], read["departure_note"]) == ("", "Dejen la llave adentro.")  # replaced as a whole
    public = httpx.get(f"{stack.gateway_url}/api/v1/accommodations/{cabin['id']}")
    listed = httpx.get(f"{stack.gateway_url}/api/v1/accommodations").json()
    assert "guest_messages" not in public.json() and all("guest_messages" not in a for a in listed)
    assert httpx.get(f"{admin}/{cabin['id']}").status_code == 401
    bad = httpx.patch(f"{admin}/{cabin['id']}", headers=auth, json={"guest_messages": {"review_url": "javascript:x"}})
    assert bad.status_code == 422
