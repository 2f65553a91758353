"""The owner's actions over the admin REST API, against the whole stack: blocks close the public
availability and the exported calendar, phone bookings, date changes, notes and their history."""

import uuid
from typing import Any

import httpx
import icalendar

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from services.booking.tests.helpers import day, make_cabin
from tests.stack import Stack, admin_token

AUTH = {"Authorization": f"Bearer {admin_token()}"}
OWNER = "admin:owner@example.com"  # tests.stack.admin_token's subject


def _admin(stack: Stack, path: str) -> str:
    return f"{stack.gateway_url}/api/v1/admin{path}"


def _available(stack: Stack, cabin_id: int, start: int, end: int) -> bool:
    params = {"check_in": str(day(start)), "check_out": str(day(end)), "guests": "2"}
    reply = httpx.get(f"{stack.gateway_url}/api/v1/accommodations/{cabin_id}/availability", params=params)
    assert reply.status_code == 200, reply.text
    return bool(reply.json()["available"])


def _exported(stack: Stack, cabin_id: int, exclude: str = "") -> dict[str, str]:
    """The exported calendar's events: summary by code."""
    urls = httpx.get(_admin(stack, f"/accommodations/{cabin_id}/ical"), headers=AUTH).json()
    reply = httpx.get(urls["export_url"] + (f"&exclude_source={exclude}" if exclude else ""))
    assert reply.status_code == 200, reply.text
    return {str(e["X-CODE"]): str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(reply.content).walk("VEVENT")}


def _manual(cabin_id: int, start: int, end: int, **fields: Any) -> dict[str, Any]:
    body = {
        "accommodation_id": cabin_id,
        "check_in": str(day(start)),
        "check_out": str(day(end)),
        "guests": 2,
        "guest_name": "José Pérez",
        "guest_phone": "+5492944123456",
    }
    return body | fields


def test_a_block_closes_availability_and_every_channels_calendar(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    blocks = _admin(stack, f"/accommodations/{cabin.id}/blocks")
    body = {"check_in": str(day(40)), "check_out": str(day(43)), "reason": "Arreglamos el techo"}
    created = httpx.post(blocks, json=body, headers=AUTH)
    assert created.status_code == 201, created.text
    block = created.json()
    assert (block["status"], block["channel"], block["block_reason"]) == ("blocked", "admin", "Arreglamos el techo")
    assert not _available(stack, cabin.id, 41, 42)
    for exclude in ("", "airbnb"):
        events = _exported(stack, cabin.id, exclude)
        assert events[block["code"]] == "No disponible", exclude  # the reason stays the owner's
    assert "techo" not in str(_exported(stack, cabin.id))

    taken = httpx.post(blocks, json=body, headers=AUTH)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "dates_unavailable"
    other_cabin = httpx.delete(_admin(stack, f"/accommodations/{cabin.id + 1}/blocks/{block['code']}"), headers=AUTH)
    assert other_cabin.status_code == 404
    removed = httpx.delete(f"{blocks}/{block['code']}", headers=AUTH)
    assert removed.status_code == 200 and removed.json()["status"] == "cancelled"
    assert _available(stack, cabin.id, 41, 42)
    assert block["code"] not in _exported(stack, cabin.id)
    bad = httpx.post(blocks, json=body | {"check_in": str(day(44))}, headers=AUTH)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_range"


def test_a_phone_booking_moved_and_noted_tells_its_history(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking, deposit_percent=30)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    created = httpx.post(_admin(stack, "/reservations"), json=_manual(cabin.id, 40, 42), headers=AUTH | key)
    assert created.status_code == 201, created.text
    booked = created.json()
    assert (booked["status"], booked["channel"], booked["total"], booked["guest_name"]) == (
        "confirmed",
        "admin",
        100_000_00,
        "José Pérez",
    )
    again = httpx.post(_admin(stack, "/reservations"), json=_manual(cabin.id, 40, 42), headers=AUTH | key)
    assert again.status_code == 201 and again.json()["code"] == booked["code"]
    code = booked["code"]

    move = {"check_in": str(day(41)), "check_out": str(day(44)), "price": "override", "total_minor": 90_000_00}
    moved = httpx.post(_admin(stack, f"/reservations/{code}/change-dates"), json=move, headers=AUTH)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["check_in"], moved.json()["total"], moved.json()["deposit"]) == (
        str(day(41)),
        90_000_00,
        27_000_00,
    )
    note = httpx.post(_admin(stack, f"/reservations/{code}/notes"), json={"text": "Trae un perro"}, headers=AUTH)
    assert note.status_code == 201 and note.json()["text"] == "Trae un perro"

    history = httpx.get(_admin(stack, f"/reservations/{code}/history"), headers=AUTH)
    assert history.status_code == 200, history.text
    entries = history.json()
    assert [(e["actor"], e["action"]) for e in entries] == [
        (OWNER, "created"),
        (OWNER, "confirmed"),
        (OWNER, "dates_changed"),
        (OWNER, "note"),
    ]
    assert entries[2]["data"]["total_before"] == "10000000" and entries[2]["data"]["total"] == "9000000"

    for query in (code.lower(), "jose perez", "PÉREZ", "2944123456"):  # any case, any accents
        found = httpx.get(
            _admin(stack, "/reservations"), params={"q": query, "accommodation_id": cabin.id}, headers=AUTH
        )
        assert [r["code"] for r in found.json()["items"]] == [code], query
    none = httpx.get(_admin(stack, "/reservations"), params={"q": "Gómez", "accommodation_id": cabin.id}, headers=AUTH)
    assert none.json()["items"] == []


def test_refusals_come_with_the_services_reasons(stack: Stack, booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking, capacity=2)
    first = httpx.post(_admin(stack, "/reservations"), json=_manual(cabin.id, 40, 42), headers=AUTH).json()
    cases = [
        ("/reservations", _manual(cabin.id, 41, 43), 409, "dates_unavailable"),
        ("/reservations", _manual(cabin.id, 50, 52, guests=3), 422, "capacity_exceeded"),
        ("/reservations", _manual(cabin.id, 50, 52, guest_phone="2944123456"), 422, "validation_error"),
        ("/reservations", _manual(999_999_999, 50, 52), 404, "not_found"),
        ("/reservations/RESNOPE/notes", {"text": "hola"}, 404, "not_found"),
        (f"/reservations/{first['code']}/notes", {"text": "  "}, 422, "validation_error"),
        (
            f"/reservations/{first['code']}/change-dates",
            {"check_in": str(day(50)), "check_out": str(day(52)), "price": "override"},
            422,
            "invalid_total",
        ),
    ]
    for path, body, status, code in cases:
        reply = httpx.post(_admin(stack, path), json=body, headers=AUTH)
        assert (reply.status_code, reply.json()["error"]["code"]) == (status, code), (path, reply.text)
    assert httpx.get(_admin(stack, "/reservations/RESNOPE/history"), headers=AUTH).status_code == 404


def test_a_viewer_reads_nothing_and_changes_nothing(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, viewer: dict[str, str]
) -> None:
    cabin = make_cabin(booking)
    code = httpx.post(_admin(stack, "/reservations"), json=_manual(cabin.id, 40, 42), headers=AUTH).json()["code"]
    block = {"check_in": str(day(50)), "check_out": str(day(51))}
    calls = [
        ("POST", f"/accommodations/{cabin.id}/blocks", block),
        ("DELETE", f"/accommodations/{cabin.id}/blocks/{code}", None),
        ("POST", "/reservations", _manual(cabin.id, 60, 62)),
        ("POST", f"/reservations/{code}/change-dates", {"check_in": str(day(70)), "check_out": str(day(72))}),
        ("POST", f"/reservations/{code}/notes", {"text": "hola"}),
        ("GET", f"/reservations/{code}/history", None),
    ]
    for method, path, body in calls:
        reply = httpx.request(method, _admin(stack, path), json=body, headers=viewer)
        assert reply.status_code == 403, (method, path, reply.text)
        assert httpx.request(method, _admin(stack, path), json=body).status_code == 401
    assert _available(stack, cabin.id, 50, 51) and _available(stack, cabin.id, 60, 62)  # nothing was written
    history = booking.GetReservation(booking_pb2.GetReservationRequest(code=code, include_history=True)).history
    assert [h.action for h in history] == ["created", "confirmed"]
