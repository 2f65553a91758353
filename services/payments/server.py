"""gRPC adapter of the payments service."""

from pathlib import Path

from cabanas.v1 import payments_pb2, payments_pb2_grpc
from services.common.grpc_server import Runtime, Service


class PaymentsServicer(payments_pb2_grpc.PaymentsServiceServicer):
    """RPCs not overridden here answer UNIMPLEMENTED until issue #4 lands them."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime


SERVICE = Service(
    name="payments",
    descriptor=payments_pb2.DESCRIPTOR.services_by_name["PaymentsService"],
    servicer=PaymentsServicer,
    add_to_server=payments_pb2_grpc.add_PaymentsServiceServicer_to_server,
    schema="payments",
    migrations=Path(__file__).parent / "migrations",
)
