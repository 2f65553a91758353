"""/cabanas's "Mensajes al huésped": the owner's words in the guest's journey, saved to booking
and shown again; a review link that is not a web address is refused beside its box."""

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from console import cabins
from services.booking.tests.helpers import make_cabin
from tests.console_support import UserMaker, signed_in
from tests.test_console_admin import _form

WORDS = {
    "words-confirmed_note": "Cualquier cosa, escribime a este número.",
    "words-keys": "La llave está en la caja con candado, código 1234.",
    "words-arrival_note": "Hay leña en el galpón.",
    "words-departure_note": "Dejá las llaves sobre la mesa.",
    "words-review_url": "https://g.page/r/lago/review",
}


def test_every_word_of_the_journey_has_its_box() -> None:
    assert sorted(cabins.WORDS) == sorted(booking_pb2.GuestMessages.DESCRIPTOR.fields_by_name)


def test_the_owner_writes_the_guests_messages(
    console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    with signed_in(console, user()) as client:
        page = client.get(f"/cabanas/{cabin.id}")
        assert "Mensajes al huésped" in page.text
        for name in cabins.WORDS:
            assert f'<label for="f-words-{name}">' in page.text, name
        saved = client.post(f"/cabanas/{cabin.id}", data=_form(page.text) | WORDS)
        assert saved.status_code == 303, saved.text
        again = _form(client.get(saved.headers["location"]).text)
    assert {key: again[key] for key in WORDS} == WORDS
    stored = booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id)).guest_messages
    assert stored == booking_pb2.GuestMessages(**{key.removeprefix("words-"): text for key, text in WORDS.items()})


def test_a_review_link_that_is_no_web_address_is_refused(
    console: str, user: UserMaker, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    with signed_in(console, user()) as client:
        form = _form(client.get(f"/cabanas/{cabin.id}").text)
        refused = client.post(f"/cabanas/{cabin.id}", data=form | {"words-review_url": "javascript:alert(1)"})
    assert refused.status_code == 422 and 'id="f-words-review_url-error">El link empieza con https://.' in refused.text
    assert booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id)) == cabin
