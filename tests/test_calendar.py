"""iCal sync through the gateway against a local server serving channel feeds."""

import threading
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import grpc
import httpx
import icalendar
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc, calendar_pb2, calendar_pb2_grpc
from devtools.devstack import spawn, stop_children, wait_serving
from devtools.embedded import free_port
from services.booking.tests.helpers import make_cabin
from tests.stack import Infra, Stack, admin_token
from testsupport.feeds import FeedServer

Booking = booking_pb2_grpc.BookingServiceStub
Auth = dict[str, str]  # the admin's Authorization header


def d(offset: int) -> date:
    return date.today() + timedelta(days=offset)


def vevent(uid: str, start: int, end: int, summary: str = "Reserved", extra: str = "") -> str:
    return (
        f"BEGIN:VEVENT\r\nDTSTAMP:20261101T000000Z\r\nUID:{uid}\r\nDTSTART;VALUE=DATE:{d(start):%Y%m%d}\r\n"
        f"DTEND;VALUE=DATE:{d(end):%Y%m%d}\r\nSUMMARY:{summary}\r\n{extra}END:VEVENT\r\n"
    )


def feed(*events: str, prodid: str = "-//Airbnb Inc//Hosting Calendar 1.0//EN") -> bytes:
    return (f"BEGIN:VCALENDAR\r\nPRODID:{prodid}\r\nVERSION:2.0\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode()


@pytest.fixture(scope="module")
def channels() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def auth() -> Auth:
    return {"Authorization": f"Bearer {admin_token()}"}


def add_feed(stack: Stack, auth: Auth, cabin_id: int, url: str, source: str = "airbnb") -> int:
    reply = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/ical/feeds",
        headers=auth,
        json={"accommodation_id": cabin_id, "url": url, "source": source},
    )
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def sync(stack: Stack, auth: Auth, feed_id: int) -> dict[str, Any]:
    reply = httpx.post(f"{stack.gateway_url}/api/v1/admin/ical/feeds/{feed_id}/sync", headers=auth, timeout=60)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def hold(stack: Stack, cabin_id: int, start: int, end: int) -> dict[str, Any]:
    reply = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations",
        json={
            "accommodation_id": cabin_id,
            "check_in": d(start).isoformat(),
            "check_out": d(end).isoformat(),
            "guests": 2,
            "guest_name": "Ana",
            "guest_phone": "+5491155555555",
        },
    )
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def available(stack: Stack, cabin_id: int, start: int, end: int) -> bool:
    reply = httpx.get(
        f"{stack.gateway_url}/api/v1/accommodations/{cabin_id}/availability",
        params={"check_in": d(start).isoformat(), "check_out": d(end).isoformat(), "guests": 1},
    )
    return bool(reply.json()["available"])


def test_airbnb_and_booking_feeds_block_dates(stack: Stack, booking: Booking, channels: FeedServer, auth: Auth) -> None:
    cabin = make_cabin(booking)
    airbnb = channels.serve(
        f"/airbnb/{cabin.id}.ics",
        body=feed(vevent("a1@airbnb.com", 40, 44), vevent("a2@airbnb.com", 50, 52, "Airbnb (Not available)")),
    )
    bcom = channels.serve(
        f"/booking/{cabin.id}.ics",
        body=feed(
            vevent("b1@booking.com", 60, 63, "CLOSED - Not available"),
            prodid="-//admin.booking.com\\, b.v.//NONSGML v1.0//EN",
        ),
    )
    first = sync(stack, auth, add_feed(stack, auth, cabin.id, airbnb))
    assert (first["status"], first["created"]) == ("ok", 2)
    assert sync(stack, auth, add_feed(stack, auth, cabin.id, bcom, "booking"))["created"] == 1
    assert not available(stack, cabin.id, 41, 42) and not available(stack, cabin.id, 61, 62)
    assert available(stack, cabin.id, 44, 46)  # check-out day is free


def test_moved_removed_cancelled_and_recurring(
    stack: Stack, booking: Booking, channels: FeedServer, auth: Auth
) -> None:
    cabin = make_cabin(booking)
    url = channels.serve(
        f"/moves/{cabin.id}.ics", body=feed(vevent("m@x", 40, 42), vevent("r@x", 50, 52), vevent("c@x", 60, 62))
    )
    feed_id = add_feed(stack, auth, cabin.id, url)
    assert sync(stack, auth, feed_id)["created"] == 3
    rolling = (
        "BEGIN:VEVENT\r\nUID:weekly@x\r\nDTSTART;VALUE=DATE:"
        f"{d(70):%Y%m%d}\r\nDTEND;VALUE=DATE:{d(71):%Y%m%d}\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n"
    )
    channels.routes[f"/moves/{cabin.id}.ics"].body = feed(
        vevent("m@x", 41, 43), vevent("c@x", 60, 62, extra="STATUS:CANCELLED\r\n"), rolling
    )
    result = sync(stack, auth, feed_id)
    assert (result["created"], result["updated"], result["removed"]) == (3, 1, 2)
    assert available(stack, cabin.id, 50, 52) and available(stack, cabin.id, 60, 62)
    assert not available(stack, cabin.id, 42, 43) and available(stack, cabin.id, 40, 41)
    assert not available(stack, cabin.id, 77, 78)  # second weekly instance


def test_conflict_with_a_direct_booking_is_reported_never_applied(
    stack: Stack, booking: Booking, channels: FeedServer, auth: Auth
) -> None:
    cabin = make_cabin(booking)
    held = hold(stack, cabin.id, 40, 43)
    booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=held["code"], payment_reference="test"))
    url = channels.serve(f"/conflict/{cabin.id}.ics", body=feed(vevent("late@airbnb.com", 42, 45)))
    feed_id = add_feed(stack, auth, cabin.id, url)
    result = sync(stack, auth, feed_id)
    assert result["status"] == "ok" and result["created"] == 0
    assert [(c["uid"], c["reservation_code"]) for c in result["conflicts"]] == [("late@airbnb.com", held["code"])]
    listed = httpx.get(
        f"{stack.gateway_url}/api/v1/admin/ical/feeds", params={"accommodation_id": cabin.id}, headers=auth
    ).json()
    assert listed[0]["conflicts"][0]["reservation_code"] == held["code"]
    assert httpx.get(f"{stack.gateway_url}/api/v1/reservations/{held['code']}").json()["status"] == "confirmed"


@pytest.mark.parametrize(
    ("route", "error"),
    [
        ({"status": 500}, "HTTP 500"),
        ({"delay": 12}, "timed out"),
        ({"body": b"<html>garbage</html>"}, "not an iCalendar"),
        ({"body": b"BEGIN:VCALENDAR\r\n" + b"X" * (5 * 1024 * 1024 + 10)}, "larger than"),
    ],
)
def test_upstream_failures_keep_the_blocks(
    stack: Stack, booking: Booking, channels: FeedServer, auth: Auth, route: dict[str, Any], error: str
) -> None:
    cabin = make_cabin(booking)
    path = f"/flaky/{uuid.uuid4().hex}.ics"
    feed_id = add_feed(stack, auth, cabin.id, channels.serve(path, body=feed(vevent("keep@x", 40, 42))))
    assert sync(stack, auth, feed_id)["created"] == 1
    channels.routes[path] = type(channels.routes[path])(**route)
    result = sync(stack, auth, feed_id)
    assert result["status"] == "failed" and error in result["error"]
    assert not available(stack, cabin.id, 40, 42)  # still blocked
    listed = httpx.get(
        f"{stack.gateway_url}/api/v1/admin/ical/feeds", params={"accommodation_id": cabin.id}, headers=auth
    ).json()
    assert listed[0]["last_status"] == "failed" and error in listed[0]["last_error"]


def test_not_modified_and_empty_calendar(stack: Stack, booking: Booking, channels: FeedServer, auth: Auth) -> None:
    cabin = make_cabin(booking)
    path = f"/etag/{cabin.id}.ics"
    feed_id = add_feed(stack, auth, cabin.id, channels.serve(path, body=feed(vevent("e@x", 40, 42)), etag='"v1"'))
    assert sync(stack, auth, feed_id)["created"] == 1
    calendar = calendar_pb2_grpc.CalendarServiceStub(grpc.insecure_channel(stack.addr("calendar")))
    again = calendar.SyncFeed(calendar_pb2.SyncFeedRequest(id=feed_id))  # not forced: conditional request
    assert again.status == calendar_pb2.SYNC_STATUS_NOT_MODIFIED and channels.routes[path].conditional_hits == 1
    channels.routes[path] = type(channels.routes[path])(body=feed())  # valid and empty: the blocks go
    assert sync(stack, auth, feed_id)["removed"] == 1
    assert available(stack, cabin.id, 40, 42)


def test_export(stack: Stack, booking: Booking, channels: FeedServer, auth: Auth) -> None:
    cabin = make_cabin(booking)
    held = hold(stack, cabin.id, 40, 43)
    feed_id = add_feed(
        stack, auth, cabin.id, channels.serve(f"/export/{cabin.id}.ics", body=feed(vevent("x@airbnb.com", 50, 52)))
    )
    sync(stack, auth, feed_id)
    urls = httpx.get(f"{stack.gateway_url}/api/v1/admin/accommodations/{cabin.id}/ical", headers=auth).json()
    reply = httpx.get(urls["export_url"])
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/calendar")
    body = reply.content
    assert b"\r\n" in body and all(len(line) <= 75 for line in body.split(b"\r\n"))
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert sorted((str(e["X-CODE"]), str(e["X-SOURCE"])) for e in events)[-1] == (held["code"], "web")
    assert "airbnb" in {str(e["X-SOURCE"]) for e in events}
    assert all(e.get("DTSTAMP") for e in events)
    without = icalendar.Calendar.from_ical(httpx.get(urls["per_source"]["airbnb"]).content).walk("VEVENT")
    assert {str(e["X-SOURCE"]) for e in without} == {"web"}
    assert httpx.get(urls["export_url"], headers={"If-None-Match": reply.headers["etag"]}).status_code == 304
    bad = httpx.get(f"{stack.gateway_url}/api/v1/ical/export/{cabin.id}.ics", params={"token": "0" * 64})
    assert bad.status_code == 403


def test_two_replicas_never_sync_one_feed_twice(
    stack: Stack, booking: Booking, channels: FeedServer, auth: Auth
) -> None:
    cabin = make_cabin(booking)
    path = f"/slow/{cabin.id}.ics"
    feed_id = add_feed(stack, auth, cabin.id, channels.serve(path, body=feed(vevent("s@x", 40, 42)), delay=1.5))
    replica_addr = f"127.0.0.1:{free_port()}"
    replica = {"calendar": spawn("services.calendar", stack.env | {"CALENDAR_ADDR": replica_addr})}
    try:
        wait_serving("calendar", replica_addr, replica["calendar"])
        results: list[int] = []

        def run(addr: str) -> None:
            with grpc.insecure_channel(addr) as channel:
                stub = calendar_pb2_grpc.CalendarServiceStub(channel)
                results.append(stub.SyncFeed(calendar_pb2.SyncFeedRequest(id=feed_id, force=True), timeout=30).status)

        threads = [threading.Thread(target=run, args=(a,)) for a in (stack.addr("calendar"), replica_addr)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == sorted([calendar_pb2.SYNC_STATUS_OK, calendar_pb2.SYNC_STATUS_SKIPPED])
        assert channels.routes[path].hits == 1
    finally:
        stop_children(replica)


def test_bad_feed_input(stack: Stack, booking: Booking, auth: Auth) -> None:
    cabin = make_cabin(booking)
    url = f"{stack.gateway_url}/api/v1/admin/ical/feeds"
    assert (
        httpx.post(
            url, headers=auth, json={"accommodation_id": cabin.id, "url": "ftp://x", "source": "airbnb"}
        ).status_code
        == 422
    )
    assert (
        httpx.post(
            url, headers=auth, json={"accommodation_id": cabin.id, "url": "http://x", "source": "expedia"}
        ).status_code
        == 422
    )
    assert (
        httpx.post(
            url, headers=auth, json={"accommodation_id": 10**12, "url": "http://x", "source": "airbnb"}
        ).status_code
        == 404
    )
    assert (
        httpx.post(
            url, headers=auth, json={"accommodation_id": cabin.id, "url": "http://x/1", "source": "vrbo"}
        ).status_code
        == 201
    )
    assert (
        httpx.post(
            url, headers=auth, json={"accommodation_id": cabin.id, "url": "http://x/2", "source": "vrbo"}
        ).status_code
        == 409
    )


async def test_stale_feeds_degrade_readiness_and_removing_a_feed_frees_its_dates(
    stack: Stack, booking: Booking, channels: FeedServer, auth: Auth, infra: Infra
) -> None:
    import asyncpg

    cabin = make_cabin(booking)
    feed_id = add_feed(
        stack, auth, cabin.id, channels.serve(f"/stale/{cabin.id}.ics", body=feed(vevent("o@x", 40, 42)))
    )
    sync(stack, auth, feed_id)
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        for minutes, state, overall in ((25, "warning", "ok"), (35, "degraded", "degraded")):
            await conn.execute(
                "UPDATE calendar.feeds SET last_success_at = now() - make_interval(mins => $2) WHERE id = $1",
                feed_id,
                minutes,
            )
            async with httpx.AsyncClient() as client:
                ready = await client.get(f"{stack.gateway_url}/api/v1/readyz", headers=auth)
            assert ready.status_code == 200
            assert ready.json()["checks"]["calendar"]["feeds"]["state"] == state
            assert ready.json()["status"] == overall
    finally:
        await conn.close()
    async with httpx.AsyncClient() as client:
        removed = await client.delete(f"{stack.gateway_url}/api/v1/admin/ical/feeds/{feed_id}", headers=auth)
        assert removed.json() == {"blocks_removed": 1}
        assert (await client.get(f"{stack.gateway_url}/api/v1/readyz", headers=auth)).json()["status"] == "ok"
    assert available(stack, cabin.id, 40, 42)
