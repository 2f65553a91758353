"""gRPC adapter of the calendar service."""

from pathlib import Path

from cabanas.v1 import calendar_pb2, calendar_pb2_grpc
from services.common.grpc_server import Runtime, Service


class CalendarServicer(calendar_pb2_grpc.CalendarServiceServicer):
    """RPCs not overridden here answer UNIMPLEMENTED until issue #7 lands them."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime


SERVICE = Service(
    name="calendar",
    descriptor=calendar_pb2.DESCRIPTOR.services_by_name["CalendarService"],
    servicer=CalendarServicer,
    add_to_server=calendar_pb2_grpc.add_CalendarServiceServicer_to_server,
    schema="calendar",
    migrations=Path(__file__).parent / "migrations",
)
