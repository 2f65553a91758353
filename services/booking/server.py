"""gRPC adapter of the booking service."""

from pathlib import Path

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from services.common.grpc_server import Runtime, Service


class BookingServicer(booking_pb2_grpc.BookingServiceServicer):
    """RPCs not overridden here answer UNIMPLEMENTED until issue #3 lands them."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime


SERVICE = Service(
    name="booking",
    descriptor=booking_pb2.DESCRIPTOR.services_by_name["BookingService"],
    servicer=BookingServicer,
    add_to_server=booking_pb2_grpc.add_BookingServiceServicer_to_server,
    schema="booking",
    migrations=Path(__file__).parent / "migrations",
    needs_redis=True,
)
