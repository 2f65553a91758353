"""The owner's words in the guest's journey (GuestMessages) over real gRPC against a real Postgres:
stored and listed as written, each at most 1000 characters, the review link http(s) only."""

from collections.abc import Iterator

import grpc
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from services.booking.tests.helpers import make_cabin, reason
from tests.stack import Stack

WORDS = booking_pb2.GuestMessages(
    keys="La llave está en la caja, código 1234.",
    departure_note="Dejá las llaves sobre la mesa.",
    review_url="https://g.page/r/lago/review",
)


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[booking_pb2_grpc.BookingServiceStub]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


def test_the_words_round_trip_and_another_change_keeps_them(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking, guest_messages=WORDS)
    assert booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id)).guest_messages == WORDS
    changed = booking.UpdateAccommodation(
        booking_pb2.UpdateAccommodationRequest(
            id=cabin.id, accommodation=booking_pb2.Accommodation(capacity=6), update_mask={"paths": ["capacity"]}
        )
    )
    assert (changed.capacity, changed.guest_messages) == (6, WORDS)
    fewer = booking_pb2.GuestMessages(arrival_note="Hay leña.")
    replaced = booking.UpdateAccommodation(
        booking_pb2.UpdateAccommodationRequest(
            id=cabin.id,
            accommodation=booking_pb2.Accommodation(guest_messages=fewer),
            update_mask={"paths": ["guest_messages"]},
        )
    )
    assert replaced.guest_messages == fewer


@pytest.mark.parametrize(
    "words",
    [
        booking_pb2.GuestMessages(arrival_note="x" * 1001),
        booking_pb2.GuestMessages(review_url="javascript:alert(1)"),
        booking_pb2.GuestMessages(review_url="https://g.page/r/x review"),
    ],
)
def test_words_too_long_or_a_link_that_is_no_web_address_are_refused(
    booking: booking_pb2_grpc.BookingServiceStub, words: booking_pb2.GuestMessages
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        make_cabin(booking, guest_messages=words)
    assert (info.value.code(), reason(info.value)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_GUEST_MESSAGES")
