from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TranscribeRequest(_message.Message):
    __slots__ = ("audio", "mime_type", "language_hint")
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_HINT_FIELD_NUMBER: _ClassVar[int]
    audio: bytes
    mime_type: str
    language_hint: str
    def __init__(self, audio: _Optional[bytes] = ..., mime_type: _Optional[str] = ..., language_hint: _Optional[str] = ...) -> None: ...

class Segment(_message.Message):
    __slots__ = ("start", "end", "text", "avg_logprob", "no_speech_prob")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    AVG_LOGPROB_FIELD_NUMBER: _ClassVar[int]
    NO_SPEECH_PROB_FIELD_NUMBER: _ClassVar[int]
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    def __init__(self, start: _Optional[float] = ..., end: _Optional[float] = ..., text: _Optional[str] = ..., avg_logprob: _Optional[float] = ..., no_speech_prob: _Optional[float] = ...) -> None: ...

class TranscribeResponse(_message.Message):
    __slots__ = ("text", "language", "language_probability", "confidence", "duration", "segments", "model", "device", "compute_type", "processing_seconds")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_TYPE_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_SECONDS_FIELD_NUMBER: _ClassVar[int]
    text: str
    language: str
    language_probability: float
    confidence: float
    duration: float
    segments: _containers.RepeatedCompositeFieldContainer[Segment]
    model: str
    device: str
    compute_type: str
    processing_seconds: float
    def __init__(self, text: _Optional[str] = ..., language: _Optional[str] = ..., language_probability: _Optional[float] = ..., confidence: _Optional[float] = ..., duration: _Optional[float] = ..., segments: _Optional[_Iterable[_Union[Segment, _Mapping]]] = ..., model: _Optional[str] = ..., device: _Optional[str] = ..., compute_type: _Optional[str] = ..., processing_seconds: _Optional[float] = ...) -> None: ...
