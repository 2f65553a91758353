"""gRPC adapter of the payments service."""

from pathlib import Path

import grpc

from cabanas.v1 import payments_pb2, payments_pb2_grpc
from services.common.grpc_server import Runtime, Service


class PaymentsServicer(payments_pb2_grpc.PaymentsServiceServicer):
    """RPCs not overridden here answer UNIMPLEMENTED until issue #4 lands them."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime


def _register(server: grpc.aio.Server, runtime: Runtime) -> None:
    payments_pb2_grpc.add_PaymentsServiceServicer_to_server(PaymentsServicer(runtime), server)


SERVICE = Service(
    name="payments",
    full_name=payments_pb2.DESCRIPTOR.services_by_name["PaymentsService"].full_name,
    register=_register,
    schema="payments",
    migrations=Path(__file__).parent / "migrations",
)
