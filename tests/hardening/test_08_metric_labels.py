"""Unbounded metric labels (issue 14, item 8).

The raw HTTP method was a label of `http_server_request_duration_seconds`: every invented
method made a new series, and enough of them exhaust the gateway's memory and Prometheus.
Now a method outside the standard ones is `other` and a path no route matches is
`unmatched`, so junk traffic adds a fixed handful of series, once.
"""

import re
import uuid

import httpx

from tests.stack import Stack

SERIES = re.compile(
    r'^http_server_request_duration_seconds_count\{method="([^"]*)",route="([^"]*)",status="(\d+)"\}', re.M
)


def _series(stack: Stack) -> set[tuple[str, str, str]]:
    return set(SERIES.findall(httpx.get(f"{stack.gateway_url}/metrics").text))


# Methods HTTP parsers know that the API does not use: they reach the application.
UNUSED_METHODS = ("PROPFIND", "MKCOL", "PURGE", "SEARCH", "REPORT")


def _junk(stack: Stack) -> list[str]:
    """Invented and unused methods on known and random paths, known methods on random paths;
    what was invented. uvicorn's parser (httptools) answers an invented method 400 itself."""
    invented = []
    for unused in UNUSED_METHODS:
        method, path = f"X{uuid.uuid4().hex[:10].upper()}", f"/api/v1/{uuid.uuid4().hex}"
        invented += [method, path]
        for target in ("/api/v1/healthz", "/api/v1/reservations", path, f"/{uuid.uuid4().hex}"):
            assert httpx.request(method, f"{stack.gateway_url}{target}").status_code in (400, 404, 405)
            assert httpx.request(unused, f"{stack.gateway_url}{target}").status_code in (404, 405)
        assert httpx.get(f"{stack.gateway_url}{path}").status_code == 404
    return invented


def test_invented_methods_and_random_paths_add_no_series(stack: Stack) -> None:
    first = _junk(stack)
    _series(stack)  # a scrape: its own series exists from now on
    seen = _series(stack)
    assert {("other", "unmatched", "404"), ("other", "/api/v1/healthz", "405"), ("GET", "unmatched", "404")} <= seen
    again = _junk(stack)
    after = _series(stack)
    assert after == seen, after - seen  # new junk, no new series
    labels = {value for series in after for value in series}
    assert not labels & {*first, *again}, labels & {*first, *again}
