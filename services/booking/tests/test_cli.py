"""The booking command line against the real database."""

import os
import subprocess
import sys

import grpc
import jwt

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from tests.stack import JWT_SECRET, Infra, Stack


def _cli(infra: Infra, *args: str) -> str:
    env = dict(os.environ, DATABASE_URL=infra.postgres.url, JWT_SECRET=JWT_SECRET)
    done = subprocess.run(
        [sys.executable, "-m", "services.booking.cli", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_seed_demo_is_repeatable(stack: Stack, infra: Infra) -> None:
    first = _cli(infra, "seed-demo")
    second = _cli(infra, "seed-demo")
    assert "Cabaña del Lago" in first
    assert second.count("exists") == 3 and "created" not in second


def test_stats_and_expire_now(stack: Stack, infra: Infra) -> None:
    assert "active cabins:" in _cli(infra, "stats")
    assert _cli(infra, "expire-now").startswith("expired ")


def test_admin_token_is_a_valid_admin_jwt(infra: Infra) -> None:
    token = _cli(infra, "admin-token", "--sub", "owner", "--hours", "1").strip()
    claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == "owner" and claims["role"] == "admin"


def test_seeded_cabins_answer_the_frequent_questions(stack: Stack, infra: Infra) -> None:
    _cli(infra, "seed-demo")
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        lake = booking_pb2_grpc.BookingServiceStub(channel).GetAccommodation(
            booking_pb2.GetAccommodationRequest(slug="cabana-del-lago")
        )
    unanswered = [f.name for f in booking_pb2.GuestInfo.DESCRIPTOR.fields if not getattr(lake.guest_info, f.name)]
    assert not unanswered
    assert lake.location.maps_url.startswith("https://") and lake.location.city == "Villa La Angostura"
    assert (lake.check_in_time, lake.check_out_time) == ("14:00", "10:00")
