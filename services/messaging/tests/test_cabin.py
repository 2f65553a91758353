"""What the bot knows of a cabin, read from booking's Accommodation."""

import dataclasses

import pytest

from cabanas.v1 import booking_pb2
from services.messaging import convert
from services.messaging.ports import Cabin


def _lake() -> booking_pb2.Accommodation:
    return booking_pb2.Accommodation(
        id=7,
        slug="cabana-del-lago",
        name="Cabaña del Lago",
        capacity=4,
        amenities=["wifi"],
        check_in_time="14:00",
        check_out_time="10:00",
        deposit_percent=30,
        min_nights=2,
        location=booking_pb2.Location(
            address="Av. Arrayanes 1200", city="Villa La Angostura", maps_url="https://maps.google.com/?q=-40.76,-71.64"
        ),
        guest_info=booking_pb2.GuestInfo(
            pets="Se aceptan mascotas chicas, con aviso.", wifi="   ", payment_methods="Transferencia o efectivo."
        ),
    )


def test_the_cabin_carries_its_times_rules_and_place() -> None:
    cabin = convert.cabin(_lake())
    assert (cabin.check_in_time, cabin.check_out_time, cabin.deposit_percent, cabin.min_nights) == (
        "14:00",
        "10:00",
        30,
        2,
    )
    assert (cabin.address, cabin.city, cabin.maps_url) == (
        "Av. Arrayanes 1200",
        "Villa La Angostura",
        "https://maps.google.com/?q=-40.76,-71.64",
    )


def test_the_faq_has_only_the_answers_written() -> None:
    cabin = convert.cabin(_lake())
    assert dict(cabin.faq) == {
        "pets": "Se aceptan mascotas chicas, con aviso.",
        "payment_methods": "Transferencia o efectivo.",
    }
    assert set(cabin.faq) <= set(booking_pb2.GuestInfo.DESCRIPTOR.fields_by_name)


def test_the_cabin_stays_frozen_and_hashable() -> None:
    cabin = convert.cabin(_lake())
    with pytest.raises(TypeError):
        cabin.faq["pets"] = "No."  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cabin.city = "Bariloche"  # type: ignore[misc]
    assert hash(cabin) == hash(convert.cabin(_lake())) and cabin == convert.cabin(_lake())
    assert Cabin(1, "a", "A", 2).faq == {}
