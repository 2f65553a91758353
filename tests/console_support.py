"""What the console's tests share, and the API's: the stack's console, the booking stub, users of
each role, a viewer's API token, a signed-in HTTP client, and a phone-sized Chromium (Debian's,
driven by Playwright) that records script errors and saves screenshots to .artifacts/screenshots/.
Registered as a pytest plugin in conftest.py."""

import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import grpc
import httpx
import pytest

from cabanas.v1 import accounts_pb2, accounts_pb2_grpc, booking_pb2_grpc
from services.common.settings import Settings
from tests.stack import Stack

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

ZONE = ZoneInfo(Settings().console_time_zone)
PASSWORD = "pino-lago-ventana-2025"
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}

UserMaker = Callable[..., str]


def local_today() -> date:
    """Today where the owner is (the console's time zone)."""
    return datetime.now(ZONE).date()


@pytest.fixture(scope="module")
def console(stack: Stack) -> str:
    """The stack's `python -m console`, signing its calls. It trusts X-Forwarded-For from
    127.0.0.1 so each test can be a client of its own for the login throttle."""
    return stack.console_url


@pytest.fixture(scope="module")
def accounts(stack: Stack) -> Iterator[accounts_pb2_grpc.AccountsServiceStub]:
    with grpc.insecure_channel(stack.addr("accounts")) as channel:
        yield accounts_pb2_grpc.AccountsServiceStub(channel)


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[booking_pb2_grpc.BookingServiceStub]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


@pytest.fixture(scope="module")
def viewer(accounts: accounts_pb2_grpc.AccountsServiceStub) -> dict[str, str]:
    """The Authorization header of a viewer's API token: it reads, it changes nothing."""
    request = accounts_pb2.CreateUserRequest(
        email=f"viewer-{uuid.uuid4().hex[:10]}@example.com",
        name="Marta Limpieza",
        role=accounts_pb2.ROLE_VIEWER,
        password="tortuga-azul-del-lago",
    )
    user = accounts.CreateUser(request)
    token = accounts.CreateApiToken(accounts_pb2.CreateApiTokenRequest(user_id=user.id, name="planilla"))
    return {"Authorization": f"Bearer {token.secret}"}


@pytest.fixture(scope="module")
def user(accounts: accounts_pb2_grpc.AccountsServiceStub) -> UserMaker:
    """Makes a user of `role` with PASSWORD; returns their e-mail."""

    def make(role: accounts_pb2.Role = accounts_pb2.ROLE_OWNER, name: str = "Carla Dueña") -> str:
        email = f"{uuid.uuid4().hex[:10]}@example.com"
        request = accounts_pb2.CreateUserRequest(email=email, name=name, role=role, password=PASSWORD)
        accounts.CreateUser(request)
        return email

    return make


def http_client(console: str) -> httpx.Client:
    return httpx.Client(base_url=console, follow_redirects=False, timeout=10)


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def login(session: httpx.Client, email: str, password: str = PASSWORD, **headers: str) -> httpx.Response:
    form = session.get("/login", headers=headers)
    assert form.status_code == 200
    data = {"email": email, "password": password, "csrf_token": csrf(form.text)}
    return session.post("/login", data=data, headers=headers)


@contextmanager
def signed_in(console: str, email: str) -> Iterator[httpx.Client]:
    with http_client(console) as session:
        reply = login(session, email)
        assert reply.status_code == 303 and reply.headers["location"] == "/hoy", reply.text
        yield session


@dataclass
class Phones:
    """Phone-sized pages of one Chromium; `problems` collects console errors and page errors."""

    browser: "Browser"
    console: str
    problems: list[str] = field(default_factory=list)

    async def page(self) -> "Page":
        context = await self.browser.new_context(viewport=PHONE, locale="es-AR")  # type: ignore[arg-type]
        page = await context.new_page()
        page.on(
            "console",
            lambda m: self.problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))
        return page

    async def signed_in(self, email: str, password: str = PASSWORD) -> "Page":
        page = await self.page()
        await page.goto(f"{self.console}/login")
        await sign_in(page, email, password)
        await page.wait_for_url(f"{self.console}/hoy")
        return page


async def sign_in(page: "Page", email: str, password: str = PASSWORD) -> None:
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Contraseña").fill(password)
    await page.get_by_role("button", name="Entrar").click()


async def shot(page: "Page", name: str) -> None:
    """Nothing wider than the phone, and a full-page screenshot as a test artifact."""
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name} is wider"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


@asynccontextmanager
async def phones(console: str) -> AsyncIterator[Phones]:
    """Debian's Chromium (Playwright's own download is not available here); no script error allowed."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            found = Phones(browser, console)
            yield found
        finally:
            await browser.close()
    assert found.problems == []
