"""Password rules and argon2id hashing (no database)."""

import asyncio
import time

import pytest
from argon2 import PasswordHasher

from services.accounts.passwords import Hasher, check_strength
from services.common.errors import DomainError

EMAIL = "juana.perez@example.com"


def _refusal(password: str, email: str = EMAIL) -> str:
    with pytest.raises(DomainError) as info:
        check_strength(password, email)
    assert info.value.reason == "WEAK_PASSWORD"
    return info.value.message


@pytest.mark.parametrize(
    "password",
    [
        "Cabanas2024!",  # the business's name, digits and symbols around it
        "cabañas1234",
        "Password123",
        "contraseña99",
        "1234567890",
        "9876543210",
        "aaaaaaaaaaaa",
        "1212121212",
        "juanaperez2024",  # the e-mail's own name
        "JuanaPerez!!",
        "qwertyuiop",
    ],
)
def test_the_obvious_is_refused_in_spanish(password: str) -> None:
    assert "fácil de adivinar" in _refusal(password)


def test_short_ones_are_refused_with_the_minimum() -> None:
    assert _refusal("Xk9#mQ2z") == "La contraseña tiene que tener al menos 10 caracteres."


@pytest.mark.parametrize("password", ["tortuga-azul-del-lago", "Xk9#mQ2zLp", "mi perro se llama Ron 7"])
def test_good_ones_pass(password: str) -> None:
    check_strength(password, EMAIL)


async def test_a_hash_is_argon2id_and_checks_only_its_password() -> None:
    hasher = Hasher()
    hashed = await hasher.hash("tortuga-azul-del-lago")
    assert hashed.startswith("$argon2id$")
    assert await hasher.verify(hashed, "tortuga-azul-del-lago")
    assert not await hasher.verify(hashed, "tortuga-azul-del-lag0")
    assert not await hasher.verify("not a hash", "tortuga-azul-del-lago")


async def test_a_hash_with_old_parameters_needs_redoing() -> None:
    old = await Hasher(PasswordHasher(time_cost=1, memory_cost=8 * 1024)).hash("tortuga-azul-del-lago")
    hasher = Hasher()
    assert hasher.needs_rehash(old)
    assert await hasher.verify(old, "tortuga-azul-del-lago")  # it still logs in, then is redone
    assert not hasher.needs_rehash(await hasher.hash("tortuga-azul-del-lago"))


async def test_hashing_leaves_the_event_loop_free() -> None:
    """While two hashes run, the loop keeps ticking every few milliseconds."""
    hasher, gaps, done = Hasher(), [], asyncio.Event()

    async def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    await asyncio.gather(hasher.hash("tortuga-azul-del-lago"), hasher.hash("otra-clave-larga-9"))
    took = time.perf_counter() - started
    done.set()
    await ticker
    assert took > 0.05  # real work (argon2id's defaults: ~0.2 s each on one core)
    assert max(gaps) < 0.05, f"the loop stalled for {max(gaps):.3f} s"
