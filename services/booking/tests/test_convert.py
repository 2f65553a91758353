"""Request and answer conversion, pure: the tables derived from the proto enums keep their defaults."""

import pytest

from cabanas.v1 import booking_pb2, common_pb2
from services.booking import cabins, convert, holds
from services.booking.tests.helpers import day, stay
from services.common.errors import DomainError


def _pre_reserve(channel: common_pb2.Channel) -> booking_pb2.PreReserveRequest:
    return booking_pb2.PreReserveRequest(accommodation_id=7, stay=stay(day(40), day(42)), guests=2, channel=channel)


def test_every_outcome_has_its_proto_value() -> None:
    outcomes = {o: booking_pb2.ConfirmOutcome.Name(convert._OUTCOMES[o.value]) for o in holds.Outcome}
    assert outcomes == {
        holds.Outcome.CONFIRMED: "CONFIRM_OUTCOME_CONFIRMED",
        holds.Outcome.ALREADY_CONFIRMED: "CONFIRM_OUTCOME_ALREADY_CONFIRMED",
        holds.Outcome.RETAKEN: "CONFIRM_OUTCOME_RETAKEN",
        holds.Outcome.PAID_BUT_UNAVAILABLE: "CONFIRM_OUTCOME_PAID_BUT_UNAVAILABLE",
    }


def test_an_unset_channel_is_the_web() -> None:
    assert convert.hold_request(_pre_reserve(common_pb2.CHANNEL_UNSPECIFIED)).channel == "web"
    assert convert.hold_request(_pre_reserve(common_pb2.CHANNEL_WHATSAPP)).channel == "whatsapp"


def test_hold_request_carries_the_stay() -> None:
    req = convert.hold_request(_pre_reserve(common_pb2.CHANNEL_ADMIN))
    assert (req.accommodation_id, req.check_in, req.check_out, req.guests) == (7, day(40), day(42), 2)


def test_hold_request_carries_the_client() -> None:
    request = _pre_reserve(common_pb2.CHANNEL_WEB)
    assert convert.hold_request(request).client_id == ""  # the bot's and admin tools' holds: no client cap
    request.client_id = "203.0.113.7"
    assert convert.hold_request(request).client_id == "203.0.113.7"


def test_unknown_and_unset_statuses_name_none() -> None:
    asked = [common_pb2.RESERVATION_STATUS_UNSPECIFIED, common_pb2.RESERVATION_STATUS_BLOCKED]
    assert convert.statuses(asked) == ["blocked"]


def test_optional_range_only_when_set() -> None:
    assert convert.optional_range(booking_pb2.ListReservationsRequest(), "overlapping") is None
    request = booking_pb2.ListReservationsRequest(overlapping=stay(day(1), day(3)))
    assert convert.optional_range(request, "overlapping") == (day(1), day(3))


def test_a_date_that_is_no_day_is_invalid() -> None:
    bad = common_pb2.DateRange(start=common_pb2.Date(year=2027, month=2, day=30), end=common_pb2.Date())
    with pytest.raises(DomainError) as info:
        convert.to_range(bad, "stay")
    assert (info.value.reason, info.value.message) == ("INVALID_DATE", "stay.start no es una fecha válida.")


def test_slug_from_a_spanish_name() -> None:
    assert cabins.slugify("Cabaña del Lago ñandú!") == "cabana-del-lago-nandu"
