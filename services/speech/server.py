"""gRPC adapter of the speech service."""

from cabanas.v1 import speech_pb2, speech_pb2_grpc
from services.common.grpc_server import Runtime, Service


class SpeechServicer(speech_pb2_grpc.SpeechServiceServicer):
    """RPCs not overridden here answer UNIMPLEMENTED until issue #6 lands them."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime


SERVICE = Service(
    name="speech",
    descriptor=speech_pb2.DESCRIPTOR.services_by_name["SpeechService"],
    servicer=SpeechServicer,
    add_to_server=speech_pb2_grpc.add_SpeechServiceServicer_to_server,
)
