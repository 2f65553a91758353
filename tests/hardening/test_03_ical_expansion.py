"""3. An iCal rule that expands minute by minute.

`FREQ=DAILY;BYHOUR=0..23;BYMINUTE=0..59` passed the sub-daily check: ~1.1 M instances per event
over the bookable window, expanded in a thread that could not be stopped while it held the feed's
lock (80 s of CPU and 2 GB of memory for one event, measured; the calendar pod has 384 MiB), and
feeds synced one after another, so every other channel stopped importing.

Now a rule that repeats more than once a day (FREQ or BYHOUR/BYMINUTE/BYSECOND) is left out before
expansion; expansion stops at 1,500 instances per series and 20,000 blocks per feed, past which
the feed fails and keeps its blocks; and each parse runs in a worker process limited in time
(`sync.PARSE_SECONDS`) and address space (`sync.PARSE_MEMORY`), killed and replaced past them.
The sync of all feeds runs SYNC_CONCURRENCY at a time and records a feed's failure, whatever it
is, and goes on. Unit tests: services/calendar/tests/test_ical.py, test_parser.py and
test_feeds_and_sync.py (the time limit and the pass over every feed, on a schema of their own).
Here, through the gateway: such feeds answer at once and keep their other blocks, and the other
channels go on importing."""

import time
from collections.abc import Iterator

import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2_grpc
from services.booking.tests.helpers import make_cabin
from tests.stack import Stack, admin_token
from tests.test_calendar import Auth, Booking, add_feed, available, d, feed, sync, vevent
from testsupport.feeds import FeedServer

EVERY_MINUTE = "FREQ=DAILY;BYHOUR={};BYMINUTE={}".format(",".join(map(str, range(24))), ",".join(map(str, range(60))))


def series(uid: str, start: int, rule: str) -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{d(start):%Y%m%d}T000000Z\r\nDTEND:{d(start):%Y%m%d}T000100Z\r\n"
        f"RRULE:{rule}\r\nEND:VEVENT\r\n"
    )


@pytest.fixture(scope="module")
def channels() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[Booking]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


@pytest.fixture(scope="module")
def auth() -> Auth:
    return {"Authorization": f"Bearer {admin_token()}"}


def remove_feed(stack: Stack, auth: Auth, feed_id: int) -> None:
    httpx.delete(f"{stack.gateway_url}/api/v1/admin/ical/feeds/{feed_id}", headers=auth).raise_for_status()


def test_rules_every_minute_sync_at_once_and_the_other_channels_keep_importing(
    stack: Stack, booking: Booking, channels: FeedServer, auth: Auth
) -> None:
    hostile, other = make_cabin(booking), make_cabin(booking)
    bad = channels.serve(f"/minutes/{hostile.id}.ics", body=feed(vevent("keep@x", 40, 42)))
    good = channels.serve(f"/airbnb/{other.id}.ics", body=feed(vevent("g1@airbnb.com", 40, 42)))
    bad_id, good_id = add_feed(stack, auth, hostile.id, bad), add_feed(stack, auth, other.id, good)
    assert sync(stack, auth, bad_id)["created"] == 1 and sync(stack, auth, good_id)["created"] == 1
    channels.routes[f"/minutes/{hostile.id}.ics"].body = feed(
        vevent("keep@x", 40, 42), *(series(f"minute{i}@x", 60, EVERY_MINUTE) for i in range(3))
    )
    started = time.perf_counter()
    result = sync(stack, auth, bad_id)  # was a 504 after the gateway's 60 s
    assert time.perf_counter() - started < 5
    assert (result["status"], result["unchanged"], result["created"]) == ("ok", 1, 0)
    assert not available(stack, hostile.id, 40, 42) and available(stack, hostile.id, 60, 62)

    channels.routes[f"/airbnb/{other.id}.ics"].body = feed(vevent("g1@airbnb.com", 40, 42), vevent("g2@x", 50, 53))
    started = time.perf_counter()
    assert (sync(stack, auth, good_id)["created"], available(stack, other.id, 50, 53)) == (1, False)
    assert time.perf_counter() - started < 5
    for feed_id in (bad_id, good_id):
        remove_feed(stack, auth, feed_id)


def test_a_feed_of_more_blocks_than_the_cap_fails_and_keeps_its_blocks(
    stack: Stack, booking: Booking, channels: FeedServer, auth: Auth
) -> None:
    cabin = make_cabin(booking)
    path = f"/nightly/{cabin.id}.ics"
    feed_id = add_feed(stack, auth, cabin.id, channels.serve(path, body=feed(vevent("keep@x", 40, 42))))
    assert sync(stack, auth, feed_id)["created"] == 1
    nightly = [series(f"n{i}@x", 1, "FREQ=DAILY") for i in range(30)]  # ~21,900 blocks
    channels.routes[path].body = feed(vevent("keep@x", 40, 42), *nightly)
    started = time.perf_counter()
    result = sync(stack, auth, feed_id)
    assert time.perf_counter() - started < 10
    assert (result["status"], result["error"]) == ("failed", "more than 20000 events")
    assert not available(stack, cabin.id, 40, 42) and available(stack, cabin.id, 44, 46)
    listed = httpx.get(
        f"{stack.gateway_url}/api/v1/admin/ical/feeds", params={"accommodation_id": cabin.id}, headers=auth
    ).json()
    assert (listed[0]["last_status"], listed[0]["last_error"]) == ("failed", "more than 20000 events")
    remove_feed(stack, auth, feed_id)
