"""The gateway against its own OpenAPI schema (schemathesis, driven through
Hypothesis directly): for every operation, generated requests, valid and
invalid, never get a 5xx, and every response is documented (status code,
content type, body schema).

Bounded and reproducible: derandomized, no shrinking, no example database, a
few examples per operation and mode. Admin routes carry an admin token so they
are exercised beyond 401.

The stack is shared with the rest of the suite, so nothing generated may touch
what other tests made or reach beyond this machine: writes aimed at an existing
resource (a cabin, a feed, a reservation, a notification, a conversation) go to
resources this module creates, a new reservation is always for this module's
cabin, and a feed URL always points at a closed local port."""

import itertools
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from devtools.embedded import free_port
from tests.stack import Stack, admin_token

MAX_EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
TIMEOUT = 30  # seconds per request; speech answers in well under that


@pytest.fixture(scope="module")
def own(stack: Stack) -> Iterator[dict[str, Any]]:
    """This module's resources: a cabin, a feed of it, a hold on it."""
    auth = {"Authorization": f"Bearer {admin_token()}"}
    slug = f"schemathesis-{int(time.time() * 1000)}"
    cabin = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/accommodations",
        headers=auth,
        json={
            "name": "Cabaña Schemathesis",
            "slug": slug,
            "capacity": 50,
            "nightly_price": 10_000_00,
            "max_nights": 365,
        },
    )
    assert cabin.status_code == 201, cabin.text
    cabin_id = cabin.json()["id"]
    dead_url = f"http://127.0.0.1:{free_port()}/feed.ics"  # nothing listens: a sync fails fast, locally
    feed = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/ical/feeds",
        headers=auth,
        json={"accommodation_id": cabin_id, "url": dead_url, "source": "other"},
    )
    assert feed.status_code == 201, feed.text
    hold = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations",
        json={
            "accommodation_id": cabin_id,
            "check_in": (date.today() + timedelta(days=700)).isoformat(),
            "check_out": (date.today() + timedelta(days=702)).isoformat(),
            "guests": 2,
            "guest_name": "Schemathesis",
            "guest_phone": "+5491100000000",
        },
    )
    assert hold.status_code == 201, hold.text
    yield {
        "accommodation_id": cabin_id,
        "feed_id": feed.json()["id"],
        "code": hold.json()["code"],
        "notification_id": 2**62,  # none: reprocessing another test's notification would change it
        "phone": "+5491100000000",
        "feed_url": dead_url,
        "slug": slug,
        "auth": auth,
    }


def _confine(own: dict[str, Any]) -> Callable[[Case], Case]:
    """Aim the writes of a generated case at this module's resources (see the module's docstring)."""
    serial = itertools.count()

    def confine(case: Case) -> Case:
        if case.method.upper() != "GET" and case.path_parameters:
            for name in case.path_parameters:
                if name in own:
                    case.path_parameters[name] = own[name]
        if isinstance(case.body, dict):
            if case.path in ("/api/v1/reservations", "/api/v1/admin/reservations") and "accommodation_id" in case.body:
                case.body["accommodation_id"] = own["accommodation_id"]
            if case.path == "/api/v1/admin/accommodations":  # hidden from guests and the bot, a slug of its own
                case.body |= {"active": False, "slug": f"{own['slug']}-{next(serial)}"}
            if case.path == "/api/v1/admin/ical/feeds":
                if "url" in case.body:
                    case.body["url"] = own["feed_url"]
                if "accommodation_id" in case.body:
                    case.body["accommodation_id"] = own["accommodation_id"]
        return case

    return confine


def _run(operation: Any, mode: GenerationMode, stack: Stack, own: dict[str, Any], session: requests.Session) -> str:
    """'' when every example passed, else what failed (the first failing case, as curl)."""
    failing: list[str] = []
    statuses: dict[int, int] = {}

    @settings(
        max_examples=MAX_EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time, the curl says enough
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode).map(_confine(own)))
    def examples(case: Case) -> None:
        headers = own["auth"] if case.path.startswith("/api/v1/admin/") else {}
        response = case.call(base_url=stack.gateway_url, session=session, headers=headers, timeout=TIMEOUT)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
            failing.append(f"{exc}\n  {case.as_curl_command(headers=headers)}")
            raise

    try:
        examples()
    except Unsatisfiable:  # no invalid request exists (no parameters, or only unconstrained strings)
        return ""
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every operation runs; all failures reported
        if not failing:
            failing.append(f"{type(exc).__name__}: {exc}")
    label = f"{operation.label} [{mode.value}] statuses={dict(sorted(statuses.items()))}"
    print(label, failing[0] if failing else "")
    return f"{label}\n{failing[0]}" if failing else ""


def test_the_gateway_conforms_to_its_openapi_schema(stack: Stack, own: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_url(f"{stack.gateway_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures = []
    with requests.Session() as session:
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                if failure := _run(operation, mode, stack, own, session):
                    failures.append(failure)
    assert not failures, "\n\n".join(failures)


BIG = 2**70  # past int64: the gateway must refuse it, not fail turning it into protobuf


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/api/v1/ical/export/1.ics", {"params": {"token": "é" * 64}}, 403),
        ("GET", "/api/v1/webhooks/whatsapp", {"params": {"hub.mode": "subscribe", "hub.verify_token": "é"}}, 403),
        ("GET", f"/api/v1/accommodations/{BIG}", {}, 422),
        ("GET", f"/api/v1/ical/export/{BIG}.ics", {}, 422),
        ("GET", "/api/v1/admin/whatsapp/outbox", {"params": {"after_id": BIG}}, 422),
        ("GET", "/api/v1/admin/ical/feeds", {"params": {"accommodation_id": BIG}}, 422),
        ("GET", "/api/v1/admin/ical/feeds", {"params": {"accommodation_id": 2**40}}, 200),
        ("GET", "/api/v1/admin/reservations", {"params": {"accommodation_id": 2**40}}, 200),
        ("POST", f"/api/v1/admin/ical/feeds/{BIG}/sync", {}, 422),
        ("POST", "/api/v1/admin/nlu/parse", {"json": {"text": "este finde", "today": "9999-12-31"}}, 422),
        ("POST", "/api/v1/admin/nlu/parse", {"json": {"text": "del 1 al 3 de enero de 9999 por 3 noches"}}, 200),
    ],
)
def test_what_schemathesis_found_stays_fixed(
    stack: Stack, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    headers = {"Authorization": f"Bearer {admin_token()}"} if path.startswith("/api/v1/admin/") else {}
    reply = httpx.request(method, stack.gateway_url + path, headers=headers, timeout=TIMEOUT, **kwargs)
    assert reply.status_code == status, reply.text
