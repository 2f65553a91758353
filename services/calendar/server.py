"""gRPC adapter of the calendar service."""

from pathlib import Path

import grpc

from cabanas.v1 import calendar_pb2, calendar_pb2_grpc
from services.common.grpc_server import Runtime, Service


class CalendarServicer(calendar_pb2_grpc.CalendarServiceServicer):
    """RPCs not overridden here answer UNIMPLEMENTED until issue #7 lands them."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime


def _register(server: grpc.aio.Server, runtime: Runtime) -> None:
    calendar_pb2_grpc.add_CalendarServiceServicer_to_server(CalendarServicer(runtime), server)


SERVICE = Service(
    name="calendar",
    full_name=calendar_pb2.DESCRIPTOR.services_by_name["CalendarService"].full_name,
    register=_register,
    schema="calendar",
    migrations=Path(__file__).parent / "migrations",
)
