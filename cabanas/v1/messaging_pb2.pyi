import datetime

from cabanas.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Intent(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INTENT_UNKNOWN: _ClassVar[Intent]
    INTENT_GREETING: _ClassVar[Intent]
    INTENT_AVAILABILITY: _ClassVar[Intent]
    INTENT_RESERVE: _ClassVar[Intent]
    INTENT_PRICE: _ClassVar[Intent]
    INTENT_INFO: _ClassVar[Intent]
    INTENT_MY_RESERVATIONS: _ClassVar[Intent]
    INTENT_CANCEL: _ClassVar[Intent]
    INTENT_PAY: _ClassVar[Intent]
    INTENT_HELP: _ClassVar[Intent]
    INTENT_HUMAN: _ClassVar[Intent]
    INTENT_THANKS: _ClassVar[Intent]
    INTENT_AFFIRM: _ClassVar[Intent]
    INTENT_DENY: _ClassVar[Intent]
    INTENT_PAID: _ClassVar[Intent]
    INTENT_CHANGE_DATES: _ClassVar[Intent]

class Direction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIRECTION_UNSPECIFIED: _ClassVar[Direction]
    DIRECTION_INBOUND: _ClassVar[Direction]
    DIRECTION_OUTBOUND: _ClassVar[Direction]

class EmailStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EMAIL_STATUS_UNSPECIFIED: _ClassVar[EmailStatus]
    EMAIL_STATUS_QUEUED: _ClassVar[EmailStatus]
    EMAIL_STATUS_SENT: _ClassVar[EmailStatus]
    EMAIL_STATUS_FAILED: _ClassVar[EmailStatus]
    EMAIL_STATUS_SANDBOX: _ClassVar[EmailStatus]
INTENT_UNKNOWN: Intent
INTENT_GREETING: Intent
INTENT_AVAILABILITY: Intent
INTENT_RESERVE: Intent
INTENT_PRICE: Intent
INTENT_INFO: Intent
INTENT_MY_RESERVATIONS: Intent
INTENT_CANCEL: Intent
INTENT_PAY: Intent
INTENT_HELP: Intent
INTENT_HUMAN: Intent
INTENT_THANKS: Intent
INTENT_AFFIRM: Intent
INTENT_DENY: Intent
INTENT_PAID: Intent
INTENT_CHANGE_DATES: Intent
DIRECTION_UNSPECIFIED: Direction
DIRECTION_INBOUND: Direction
DIRECTION_OUTBOUND: Direction
EMAIL_STATUS_UNSPECIFIED: EmailStatus
EMAIL_STATUS_QUEUED: EmailStatus
EMAIL_STATUS_SENT: EmailStatus
EMAIL_STATUS_FAILED: EmailStatus
EMAIL_STATUS_SANDBOX: EmailStatus

class HandleWhatsAppWebhookRequest(_message.Message):
    __slots__ = ("payload", "received_at", "traceparent")
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    TRACEPARENT_FIELD_NUMBER: _ClassVar[int]
    payload: bytes
    received_at: _timestamp_pb2.Timestamp
    traceparent: str
    def __init__(self, payload: _Optional[bytes] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., traceparent: _Optional[str] = ...) -> None: ...

class HandleWhatsAppWebhookResponse(_message.Message):
    __slots__ = ("accepted_message_ids", "duplicate_message_ids", "statuses_recorded")
    ACCEPTED_MESSAGE_IDS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_MESSAGE_IDS_FIELD_NUMBER: _ClassVar[int]
    STATUSES_RECORDED_FIELD_NUMBER: _ClassVar[int]
    accepted_message_ids: _containers.RepeatedScalarFieldContainer[str]
    duplicate_message_ids: _containers.RepeatedScalarFieldContainer[str]
    statuses_recorded: int
    def __init__(self, accepted_message_ids: _Optional[_Iterable[str]] = ..., duplicate_message_ids: _Optional[_Iterable[str]] = ..., statuses_recorded: _Optional[int] = ...) -> None: ...

class ParseTextRequest(_message.Message):
    __slots__ = ("text", "today", "time_zone", "expecting", "stay_start")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TODAY_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    EXPECTING_FIELD_NUMBER: _ClassVar[int]
    STAY_START_FIELD_NUMBER: _ClassVar[int]
    text: str
    today: _common_pb2.Date
    time_zone: str
    expecting: str
    stay_start: _common_pb2.Date
    def __init__(self, text: _Optional[str] = ..., today: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., time_zone: _Optional[str] = ..., expecting: _Optional[str] = ..., stay_start: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class ParseTextResponse(_message.Message):
    __slots__ = ("intent", "confidence", "stay", "nights", "guests", "accommodation", "month", "topics", "question", "negated", "babies", "pets", "rejected")
    INTENT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    STAY_FIELD_NUMBER: _ClassVar[int]
    NIGHTS_FIELD_NUMBER: _ClassVar[int]
    GUESTS_FIELD_NUMBER: _ClassVar[int]
    ACCOMMODATION_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    NEGATED_FIELD_NUMBER: _ClassVar[int]
    BABIES_FIELD_NUMBER: _ClassVar[int]
    PETS_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    intent: Intent
    confidence: float
    stay: _common_pb2.DateRange
    nights: int
    guests: int
    accommodation: str
    month: int
    topics: _containers.RepeatedScalarFieldContainer[str]
    question: bool
    negated: bool
    babies: int
    pets: int
    rejected: _common_pb2.Date
    def __init__(self, intent: _Optional[_Union[Intent, str]] = ..., confidence: _Optional[float] = ..., stay: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., nights: _Optional[int] = ..., guests: _Optional[int] = ..., accommodation: _Optional[str] = ..., month: _Optional[int] = ..., topics: _Optional[_Iterable[str]] = ..., question: _Optional[bool] = ..., negated: _Optional[bool] = ..., babies: _Optional[int] = ..., pets: _Optional[int] = ..., rejected: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class GetConversationRequest(_message.Message):
    __slots__ = ("phone", "limit")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    phone: str
    limit: int
    def __init__(self, phone: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ConversationMessage(_message.Message):
    __slots__ = ("wamid", "direction", "type", "text", "at", "status", "author")
    WAMID_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    wamid: str
    direction: Direction
    type: str
    text: str
    at: _timestamp_pb2.Timestamp
    status: str
    author: str
    def __init__(self, wamid: _Optional[str] = ..., direction: _Optional[_Union[Direction, str]] = ..., type: _Optional[str] = ..., text: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[str] = ..., author: _Optional[str] = ...) -> None: ...

class Conversation(_message.Message):
    __slots__ = ("phone", "name", "state", "handoff", "last_inbound_at", "messages", "waiting_since", "last_text", "window_open", "opted_out")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    HANDOFF_FIELD_NUMBER: _ClassVar[int]
    LAST_INBOUND_AT_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    WAITING_SINCE_FIELD_NUMBER: _ClassVar[int]
    LAST_TEXT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_OPEN_FIELD_NUMBER: _ClassVar[int]
    OPTED_OUT_FIELD_NUMBER: _ClassVar[int]
    phone: str
    name: str
    state: str
    handoff: bool
    last_inbound_at: _timestamp_pb2.Timestamp
    messages: _containers.RepeatedCompositeFieldContainer[ConversationMessage]
    waiting_since: _timestamp_pb2.Timestamp
    last_text: str
    window_open: bool
    opted_out: bool
    def __init__(self, phone: _Optional[str] = ..., name: _Optional[str] = ..., state: _Optional[str] = ..., handoff: _Optional[bool] = ..., last_inbound_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., messages: _Optional[_Iterable[_Union[ConversationMessage, _Mapping]]] = ..., waiting_since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_text: _Optional[str] = ..., window_open: _Optional[bool] = ..., opted_out: _Optional[bool] = ...) -> None: ...

class SetHandoffRequest(_message.Message):
    __slots__ = ("phone", "active")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    phone: str
    active: bool
    def __init__(self, phone: _Optional[str] = ..., active: _Optional[bool] = ...) -> None: ...

class ListOutboxRequest(_message.Message):
    __slots__ = ("phone", "after_id", "limit")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    AFTER_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    phone: str
    after_id: int
    limit: int
    def __init__(self, phone: _Optional[str] = ..., after_id: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class OutboxMessage(_message.Message):
    __slots__ = ("id", "to", "type", "text", "payload_json", "status", "wamid", "error", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_JSON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    WAMID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    to: str
    type: str
    text: str
    payload_json: str
    status: str
    wamid: str
    error: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., to: _Optional[str] = ..., type: _Optional[str] = ..., text: _Optional[str] = ..., payload_json: _Optional[str] = ..., status: _Optional[str] = ..., wamid: _Optional[str] = ..., error: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListOutboxResponse(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[OutboxMessage]
    def __init__(self, messages: _Optional[_Iterable[_Union[OutboxMessage, _Mapping]]] = ...) -> None: ...

class ListConversationsRequest(_message.Message):
    __slots__ = ("waiting_only", "page")
    WAITING_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    waiting_only: bool
    page: _common_pb2.PageRequest
    def __init__(self, waiting_only: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListConversationsResponse(_message.Message):
    __slots__ = ("conversations", "page")
    CONVERSATIONS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    conversations: _containers.RepeatedCompositeFieldContainer[Conversation]
    page: _common_pb2.PageResponse
    def __init__(self, conversations: _Optional[_Iterable[_Union[Conversation, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class SendReplyRequest(_message.Message):
    __slots__ = ("phone", "text", "actor", "idempotency_key")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    phone: str
    text: str
    actor: str
    idempotency_key: str
    def __init__(self, phone: _Optional[str] = ..., text: _Optional[str] = ..., actor: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class SendReplyResponse(_message.Message):
    __slots__ = ("message", "template")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    message: ConversationMessage
    template: bool
    def __init__(self, message: _Optional[_Union[ConversationMessage, _Mapping]] = ..., template: _Optional[bool] = ...) -> None: ...

class Email(_message.Message):
    __slots__ = ("id", "to", "subject", "text", "status", "error", "attempts", "attachments", "created_at", "sent_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    to: str
    subject: str
    text: str
    status: EmailStatus
    error: str
    attempts: int
    attachments: _containers.RepeatedScalarFieldContainer[str]
    created_at: _timestamp_pb2.Timestamp
    sent_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., to: _Optional[str] = ..., subject: _Optional[str] = ..., text: _Optional[str] = ..., status: _Optional[_Union[EmailStatus, str]] = ..., error: _Optional[str] = ..., attempts: _Optional[int] = ..., attachments: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListEmailsRequest(_message.Message):
    __slots__ = ("status", "to", "page")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    status: EmailStatus
    to: str
    page: _common_pb2.PageRequest
    def __init__(self, status: _Optional[_Union[EmailStatus, str]] = ..., to: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListEmailsResponse(_message.Message):
    __slots__ = ("emails", "next_page_token")
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    emails: _containers.RepeatedCompositeFieldContainer[Email]
    next_page_token: str
    def __init__(self, emails: _Optional[_Iterable[_Union[Email, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
