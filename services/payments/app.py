"""The payments service's parts, built once Postgres is connected, and its loops:
notification processing, reconciliation with Mercado Pago, refunds sent to it and booking's
cancellations followed."""

import functools
from dataclasses import dataclass

import asyncpg

from services.common import outbox
from services.common.grpc_clients import channel
from services.common.grpc_server import App, Loop, Runtime
from services.common.settings import Settings
from services.payments import adapters, store
from services.payments.balance import Balances
from services.payments.events_in import Cancellations
from services.payments.links import Links
from services.payments.manual import ManualPayments
from services.payments.mercadopago import MercadoPago
from services.payments.notifications import Processor
from services.payments.ports import Booking
from services.payments.refunds import Refunds


@dataclass
class PaymentsApp(App):
    settings: Settings
    db: asyncpg.Pool
    mercadopago: MercadoPago
    booking: Booking
    processor: Processor  # stores and applies notifications
    links: Links
    manual: ManualPayments  # money received by hand
    balances: Balances  # what each reservation paid and still owes
    feed: outbox.Feed  # payment events for StreamEvents
    refunds: Refunds  # the owner's refunds, and the worker that sends them to Mercado Pago
    cancellations: Cancellations  # booking's cancellations, turned into refunds

    def loops(self) -> dict[str, Loop]:
        every = self.settings.payments_reconcile_interval_seconds
        return {
            "process": self.processor.run,
            "reconcile": functools.partial(self.processor.reconcile_every, every),
            "refunds": self.refunds.run,
            "cancellations": self.cancellations.follow,
        }

    async def close(self) -> None:
        await self.mercadopago.close()
        await self.feed.close()


def mercadopago(settings: Settings, public_url: str) -> MercadoPago:
    """The API client; without a token nothing leaves the machine: the gateway serves a sandbox."""
    recovery = settings.mercadopago_circuit_recovery_seconds
    token = settings.mercadopago_access_token
    if token is None:
        return MercadoPago(f"{public_url}/sandbox/mercadopago", "sandbox", recovery_seconds=recovery)
    return MercadoPago(settings.mercadopago_api_base, token.get_secret_value(), recovery_seconds=recovery)


async def build(runtime: Runtime) -> PaymentsApp:
    settings, db = runtime.settings, runtime.db
    public_url = settings.public_base_url.rstrip("/")
    mp = mercadopago(settings, public_url)
    to_booking = channel(settings.booking_addr)
    booking = adapters.GrpcBooking(to_booking)
    given_back = Refunds(db, mp, booking, settings.payments_retry_base_seconds)
    links = Links(db, mp, booking, public_url, sandbox=settings.mercadopago_sandbox)
    return PaymentsApp(
        settings=settings,
        db=db,
        mercadopago=mp,
        booking=booking,
        processor=Processor(db, mp, booking, settings.payments_retry_base_seconds),
        links=links,
        manual=ManualPayments(db, booking),
        balances=Balances(db, booking, links),
        feed=outbox.Feed(settings.database_url, store.EVENTS_CHANNEL),
        refunds=given_back,
        cancellations=Cancellations(db, adapters.GrpcBookingEvents(to_booking), given_back),
    )
