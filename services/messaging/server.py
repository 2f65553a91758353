"""gRPC adapter of the messaging service."""

from pathlib import Path

import grpc

from cabanas.v1 import messaging_pb2, messaging_pb2_grpc
from services.common.grpc_server import Runtime, Service


class MessagingServicer(messaging_pb2_grpc.MessagingServiceServicer):
    """RPCs not overridden here answer UNIMPLEMENTED until issue #5 lands them."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime


def _register(server: grpc.aio.Server, runtime: Runtime) -> None:
    messaging_pb2_grpc.add_MessagingServiceServicer_to_server(MessagingServicer(runtime), server)


SERVICE = Service(
    name="messaging",
    full_name=messaging_pb2.DESCRIPTOR.services_by_name["MessagingService"].full_name,
    register=_register,
    schema="messaging",
    migrations=Path(__file__).parent / "migrations",
    needs_redis=True,
)
