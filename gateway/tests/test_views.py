"""The gateway's names for the contract's enums: what the API shows and accepts
is read from the proto enums, so the two cannot drift apart."""

from typing import get_args

import pytest

from cabanas.v1 import booking_pb2, common_pb2
from gateway import schemas, views
from services.common import pb


def test_the_status_names_are_the_proto_statuses() -> None:
    assert set(get_args(schemas.Status)) == set(pb.RESERVATION_STATUSES)
    assert pb.RESERVATION_STATUSES["pre_reserved"] == common_pb2.RESERVATION_STATUS_PRE_RESERVED


def test_the_accepted_channel_is_the_proto_web() -> None:
    accepted = schemas.ReservationIn.model_json_schema()["properties"]["channel"]["enum"]
    assert accepted == ["web"]  # WhatsApp holds come from the bot only
    assert {pb.CHANNELS[c] for c in accepted} == {common_pb2.CHANNEL_WEB}


@pytest.mark.parametrize(
    ("channel", "shown"),
    [
        (common_pb2.CHANNEL_WHATSAPP, "whatsapp"),
        (common_pb2.CHANNEL_WEB, "web"),
        (common_pb2.CHANNEL_ADMIN, "admin"),
        (common_pb2.CHANNEL_ICAL, "ical"),
        (common_pb2.CHANNEL_UNSPECIFIED, "ical"),
    ],
)
def test_a_reservation_shows_its_status_and_channel(channel: common_pb2.Channel, shown: str) -> None:
    reservation = booking_pb2.Reservation(
        code="ABC123",
        status=common_pb2.RESERVATION_STATUS_CONFIRMED,
        channel=channel,
        stay=pb.range_pb("2030-01-01", "2030-01-03"),
    )
    public, full = views.reservation(reservation, full=False), views.reservation(reservation, full=True)
    assert (public.status, public.channel) == ("confirmed", None)
    assert (full.status, full.channel) == ("confirmed", shown)
