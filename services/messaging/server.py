"""gRPC adapter of the messaging service."""

from pathlib import Path

from cabanas.v1 import messaging_pb2, messaging_pb2_grpc
from services.common.grpc_server import Runtime, Service


class MessagingServicer(messaging_pb2_grpc.MessagingServiceServicer):
    """RPCs not overridden here answer UNIMPLEMENTED until issue #5 lands them."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime


SERVICE = Service(
    name="messaging",
    descriptor=messaging_pb2.DESCRIPTOR.services_by_name["MessagingService"],
    servicer=MessagingServicer,
    add_to_server=messaging_pb2_grpc.add_MessagingServiceServicer_to_server,
    schema="messaging",
    migrations=Path(__file__).parent / "migrations",
    needs_redis=True,
)
