"""Transcripts to protobuf."""

from cabanas.v1 import speech_pb2
from services.speech.transcriber import Segment, Transcript


def segment_pb(s: Segment) -> speech_pb2.Segment:
    return speech_pb2.Segment(
        start=s.start, end=s.end, text=s.text, avg_logprob=s.avg_logprob, no_speech_prob=s.no_speech_prob
    )


def transcribe_response(t: Transcript) -> speech_pb2.TranscribeResponse:
    return speech_pb2.TranscribeResponse(
        text=t.text,
        language=t.language,
        language_probability=t.language_probability,
        confidence=t.confidence,
        duration=t.duration,
        segments=[segment_pb(s) for s in t.segments],
        model=t.model,
        device=t.device,
        compute_type=t.compute_type,
        processing_seconds=t.processing_seconds,
    )
