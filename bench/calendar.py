"""iCal import and export figures, each with a baseline from the same run.

    python bench/calendar.py [--feeds 200]

- parse a 2,000-event feed (ours: lenient, local dates, RRULE) vs icalendar's bare parse;
- render a 2,000-reservation calendar vs icalendar's bare serialisation of the same events;
- sync one feed end to end (fetch, parse, booking replace-set) first and unchanged;
- one sync cycle over N feeds served locally vs plainly fetching those N feeds.
"""

import sys
from pathlib import Path

# The repository root first, instead of bench/: this file's name would shadow
# the standard library's `calendar` for every module that imports it.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

import grpc
import httpx
import icalendar

from cabanas.v1 import booking_pb2, booking_pb2_grpc, calendar_pb2, calendar_pb2_grpc, common_pb2
from devtools.devstack import spawn, stop_children, wait_serving
from devtools.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from services.calendar.ical import Booked, parse, render
from testsupport.feeds import FeedServer

TZ = "America/Argentina/Buenos_Aires"


def feed(events: int, start_offset: int = 1) -> bytes:
    today = date.today()
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN", "VERSION:2.0"]
    for i in range(events):
        day = today + timedelta(days=start_offset + i)
        dates = [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"]
        lines += ["BEGIN:VEVENT", f"UID:{i}-bench@airbnb.com", "DTSTAMP:20261101T000000Z", *dates]
        lines += ["SUMMARY:Reserved", "END:VEVENT"]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def pure_figures() -> None:
    body = feed(2000)
    ours = timed(lambda: parse(body, TZ, date.today() - timedelta(days=1)))
    bare = timed(lambda: icalendar.Calendar.from_ical(body).walk("VEVENT"))
    print(
        f"parse 2,000 events         {ours * 1000:8.1f} ms   bare icalendar {bare * 1000:7.1f} ms   ratio {ours / bare:.2f}"
    )
    stamp = datetime.now(UTC)
    first = date(2027, 1, 1)
    nights = [(first + timedelta(days=i), first + timedelta(days=i + 1)) for i in range(2000)]
    booked = [Booked(f"RES{i:012d}", start, end, "booked", "web", stamp) for i, (start, end) in enumerate(nights)]
    ours = timed(lambda: render("Cabaña del Lago", booked, "cabanas"))

    def bare_render() -> bytes:
        cal = icalendar.Calendar()
        for b in booked:
            event = icalendar.Event()
            event.add("uid", b.code)
            event.add("dtstart", b.start)
            event.add("dtend", b.end)
            cal.add_component(event)
        return bytes(cal.to_ical())

    bare = timed(bare_render)
    print(
        f"render 2,000 reservations  {ours * 1000:8.1f} ms   bare icalendar {bare * 1000:7.1f} ms   ratio {ours / bare:.2f}"
    )


async def fetch_all(urls: list[str]) -> None:
    async with httpx.AsyncClient() as client:
        for url in urls:
            (await client.get(url)).raise_for_status()


def service_figures(n_feeds: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cabanas-bench-"))
    pg, rd, channels = (
        EmbeddedPostgres(tmp / "pg", free_port(), durable=False),
        EmbeddedRedis(tmp / "redis", free_port()),
        FeedServer(),
    )
    procs: dict = {}
    try:
        pg.start()
        rd.start()
        env = dict(os.environ, DATABASE_URL=pg.url, REDIS_URL=rd.url, LOG_LEVEL="WARNING", GRPC_BIND_HOST="127.0.0.1")
        env |= {"BOOKING_ADDR": f"127.0.0.1:{free_port()}", "CALENDAR_ADDR": f"127.0.0.1:{free_port()}"}
        env |= {"ICAL_SYNC_INTERVAL_SECONDS": "100000", "ENVIRONMENT": "development"}
        for name in ("booking", "calendar"):
            procs[name] = spawn(f"services.{name}", env)
            wait_serving(name, env[f"{name.upper()}_ADDR"], procs[name])
        booking = booking_pb2_grpc.BookingServiceStub(grpc.insecure_channel(env["BOOKING_ADDR"]))
        calendar = calendar_pb2_grpc.CalendarServiceStub(grpc.insecure_channel(env["CALENDAR_ADDR"]))
        price = common_pb2.Money(amount_minor=50_000_00, currency="ARS")

        def cabin(i: int) -> int:
            acc = booking_pb2.Accommodation(name=f"Bench {i}", capacity=4, base_nightly_price=price, min_nights=1)
            return booking.CreateAccommodation(booking_pb2.CreateAccommodationRequest(accommodation=acc)).id

        big = cabin(0)
        url = channels.serve("/big.ics", body=feed(2000))
        big_feed = calendar.AddFeed(calendar_pb2.AddFeedRequest(accommodation_id=big, url=url, source="airbnb")).id
        started = time.perf_counter()
        first = calendar.SyncFeed(calendar_pb2.SyncFeedRequest(id=big_feed, force=True), timeout=120)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        calendar.SyncFeed(calendar_pb2.SyncFeedRequest(id=big_feed, force=True), timeout=120)
        again_s = time.perf_counter() - started
        print(
            f"sync a 2,000-event feed    {first_s * 1000:8.1f} ms first ({first.created} blocks in the 2-year window), {again_s * 1000:.1f} ms unchanged"
        )

        started = time.perf_counter()
        export = calendar.ExportUrl(calendar_pb2.ExportUrlRequest(accommodation_id=big))
        token = export.export_url.split("token=")[1]
        ics = calendar.ExportCalendar(calendar_pb2.ExportCalendarRequest(accommodation_id=big, token=token), timeout=60)
        print(
            f"export that cabin          {(time.perf_counter() - started) * 1000:8.1f} ms ({ics.ics.count('BEGIN:VEVENT')} events)"
        )

        urls = []
        for i in range(n_feeds):
            urls.append(channels.serve(f"/f{i}.ics", body=feed(10, start_offset=5)))
            calendar.AddFeed(calendar_pb2.AddFeedRequest(accommodation_id=cabin(i + 1), url=urls[-1], source="booking"))
        started = time.perf_counter()
        asyncio.run(fetch_all(urls))
        fetch_s = time.perf_counter() - started
        started = time.perf_counter()
        results = calendar.SyncAll(calendar_pb2.SyncAllRequest(force=True), timeout=600).results
        cycle_s = time.perf_counter() - started
        ok = sum(r.status == calendar_pb2.SYNC_STATUS_OK for r in results)
        print(
            f"sync cycle, {n_feeds} feeds      {cycle_s * 1000:8.1f} ms ({ok} ok)   plain fetch {fetch_s * 1000:.1f} ms   ratio {cycle_s / fetch_s:.1f}"
        )
    finally:
        stop_children(procs)
        channels.stop()
        rd.stop()
        pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs")
    pure_figures()
    service_figures(args.feeds)


if __name__ == "__main__":
    main()
