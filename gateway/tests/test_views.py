"""The gateway's names for the contract's enums: what the API shows and accepts
is read from the proto enums, so the two cannot drift apart."""

from typing import get_args

import pytest
from pydantic import ValidationError

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


def test_the_guest_answers_are_the_proto_guest_info() -> None:
    assert list(schemas.GuestInfo.model_fields) == [f.name for f in booking_pb2.GuestInfo.DESCRIPTOR.fields]


def test_a_patch_names_only_the_answers_it_changes() -> None:
    patch = schemas.AccommodationPatch.model_validate({"capacity": 3, "guest_info": {"pets": "No.", "wifi": ""}})
    message, mask = views.accommodation_pb(patch)
    assert sorted(mask.paths) == ["capacity", "guest_info.pets", "guest_info.wifi"]
    assert message.guest_info == booking_pb2.GuestInfo(pets="No.")
    new = schemas.AccommodationIn.model_validate({"name": "La Casona", "capacity": 3, "nightly_price": 1})
    assert "guest_info" in views.accommodation_pb(new)[1].paths


def test_a_season_price_past_int64_is_refused() -> None:
    """Found by schemathesis: a season's price too large for the contract's int64 answered 500."""
    with pytest.raises(ValidationError):
        schemas.Season.model_validate(
            {"name": "Alta", "start": "2030-01-01", "end": "2030-02-01", "nightly_price": 2**70}
        )
