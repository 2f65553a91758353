"""The owner's answers to guests' questions (GuestInfo) over real gRPC against a real Postgres."""

from collections.abc import Iterator

import grpc
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from services.booking.tests.helpers import make_cabin, reason
from tests.stack import Stack

PETS = "Se aceptan mascotas chicas, con aviso."
WIFI = "Sí, wifi de fibra en toda la casa."
PARKING = "Cochera techada para un auto."


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[booking_pb2_grpc.BookingServiceStub]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


def _update(
    booking: booking_pb2_grpc.BookingServiceStub, cabin_id: int, info: booking_pb2.GuestInfo, *paths: str
) -> booking_pb2.Accommodation:
    return booking.UpdateAccommodation(
        booking_pb2.UpdateAccommodationRequest(
            id=cabin_id, accommodation=booking_pb2.Accommodation(guest_info=info), update_mask={"paths": list(paths)}
        )
    )


def _listed(booking: booking_pb2_grpc.BookingServiceStub, cabin_id: int) -> booking_pb2.Accommodation:
    """The cabin as the list shows it, however many pages other tests' cabins fill."""
    token = ""
    while True:
        page = {"page_size": 100, "page_token": token}
        reply = booking.ListAccommodations(booking_pb2.ListAccommodationsRequest(page=page))
        if found := next((a for a in reply.accommodations if a.id == cabin_id), None):
            return found
        token = reply.page.next_page_token
        assert token, f"cabin {cabin_id} is not listed"


def test_answers_round_trip(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking, guest_info=booking_pb2.GuestInfo(pets=PETS, wifi=WIFI))
    assert (cabin.guest_info.pets, cabin.guest_info.wifi, cabin.guest_info.parking) == (PETS, WIFI, "")
    got = booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id))
    assert got.guest_info == cabin.guest_info

    one = _update(booking, cabin.id, booking_pb2.GuestInfo(parking=PARKING), "guest_info.parking")
    assert one.guest_info == booking_pb2.GuestInfo(pets=PETS, wifi=WIFI, parking=PARKING)
    emptied = _update(booking, cabin.id, booking_pb2.GuestInfo(), "guest_info.wifi")
    assert emptied.guest_info == booking_pb2.GuestInfo(pets=PETS, parking=PARKING)
    assert _listed(booking, cabin.id).guest_info == emptied.guest_info


def test_the_whole_path_replaces_every_answer(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking, guest_info=booking_pb2.GuestInfo(pets=PETS, wifi=WIFI))
    replaced = _update(booking, cabin.id, booking_pb2.GuestInfo(parking=PARKING), "guest_info")
    assert replaced.guest_info == booking_pb2.GuestInfo(parking=PARKING)
    # Covering its sub-paths: `guest_info` with `guest_info.pets` is still a replacement.
    again = _update(booking, cabin.id, booking_pb2.GuestInfo(pets=PETS), "guest_info", "guest_info.pets")
    assert again.guest_info == booking_pb2.GuestInfo(pets=PETS)


def test_other_changes_keep_the_answers(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking, guest_info=booking_pb2.GuestInfo(pets=PETS))
    changed = booking.UpdateAccommodation(
        booking_pb2.UpdateAccommodationRequest(
            id=cabin.id, accommodation=booking_pb2.Accommodation(capacity=6), update_mask={"paths": ["capacity"]}
        )
    )
    assert (changed.capacity, changed.guest_info.pets) == (6, PETS)


def test_an_answer_too_long_is_refused(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as info:
        make_cabin(booking, guest_info=booking_pb2.GuestInfo(house_rules="x" * 1001))
    assert (info.value.code(), reason(info.value)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_GUEST_INFO")
    assert "guest_info.house_rules" in (info.value.details() or "")
    cabin = make_cabin(booking, guest_info=booking_pb2.GuestInfo(house_rules="x" * 1000))
    with pytest.raises(grpc.RpcError) as info:
        _update(booking, cabin.id, booking_pb2.GuestInfo(pets="x" * 1001), "guest_info.pets")
    assert reason(info.value) == "INVALID_GUEST_INFO"
    got = booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id))
    assert got.guest_info == booking_pb2.GuestInfo(house_rules="x" * 1000)


def test_an_unknown_answer_is_refused(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    with pytest.raises(grpc.RpcError) as info:
        _update(booking, cabin.id, booking_pb2.GuestInfo(pets=PETS), "guest_info.sauna")
    assert (info.value.code(), reason(info.value)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELD")
