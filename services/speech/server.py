"""gRPC adapter of the speech service."""

from cabanas.v1 import speech_pb2, speech_pb2_grpc
from services.common.grpc_server import Bound, Context, Service
from services.speech import convert
from services.speech.app import SpeechApp, build


class SpeechServicer(Bound[SpeechApp], speech_pb2_grpc.SpeechServiceServicer):
    async def Transcribe(
        self, request: speech_pb2.TranscribeRequest, context: Context
    ) -> speech_pb2.TranscribeResponse:
        transcript = await self.app.intake.transcribe(request.audio, request.language_hint)
        return convert.transcribe_response(transcript)


SERVICE = Service(
    name="speech",
    descriptor=speech_pb2.DESCRIPTOR.services_by_name["SpeechService"],
    servicer=SpeechServicer,
    add_to_server=speech_pb2_grpc.add_SpeechServiceServicer_to_server,
    build=build,
)
