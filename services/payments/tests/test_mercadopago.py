"""The Mercado Pago client against a local fake of its API: retries, refusals, the circuit breaker."""

import asyncio

import pytest

from services.payments.mercadopago import MercadoPago, MercadoPagoError, NotFound, Unavailable
from services.payments.tests.fakes import FakeMercadoPago


async def test_outages_are_retried_refusals_are_not(api: FakeMercadoPago) -> None:
    mp = MercadoPago(api.url, "TEST-token", attempts=3)
    try:
        payment_id = api.pay("RES1", 100_00)
        api.failures = [503]
        assert (await mp.get_payment(payment_id))["id"] == int(payment_id)
        assert len(api.calls) == 2
        api.failures = [400]
        with pytest.raises(MercadoPagoError, match="HTTP 400"):
            await mp.get_payment(payment_id)
        assert len(api.calls) == 3
        with pytest.raises(NotFound):
            await mp.get_payment("404404")
        assert len(api.calls) == 4
    finally:
        await mp.close()


async def test_the_circuit_opens_after_outages_and_lets_a_probe_through_after_recovery_seconds(
    api: FakeMercadoPago,
) -> None:
    mp = MercadoPago(api.url, "TEST-token", attempts=1, recovery_seconds=0.2)
    try:
        payment_id = api.pay("RES1", 100_00)
        api.failures = [500] * 5
        for _ in range(5):
            with pytest.raises(Unavailable, match="HTTP 500"):
                await mp.get_payment(payment_id)
        with pytest.raises(Unavailable, match="circuit open"):
            await mp.get_payment(payment_id)
        assert len(api.calls) == 5  # refused here, without calling
        await asyncio.sleep(0.25)
        assert (await mp.get_payment(payment_id))["id"] == int(payment_id)  # the probe, and closed again
        assert (await mp.get_payment(payment_id))["id"] == int(payment_id)
        assert len(api.calls) == 7
    finally:
        await mp.close()
