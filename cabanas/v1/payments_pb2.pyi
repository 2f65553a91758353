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

class PaymentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATUS_UNSPECIFIED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_PENDING: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_APPROVED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_AUTHORIZED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_IN_PROCESS: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_IN_MEDIATION: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_REJECTED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_CANCELLED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_REFUNDED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_CHARGED_BACK: _ClassVar[PaymentStatus]

class PaymentIssue(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_ISSUE_NONE: _ClassVar[PaymentIssue]
    PAYMENT_ISSUE_AMOUNT_MISMATCH: _ClassVar[PaymentIssue]
    PAYMENT_ISSUE_CURRENCY_MISMATCH: _ClassVar[PaymentIssue]
    PAYMENT_ISSUE_UNKNOWN_REFERENCE: _ClassVar[PaymentIssue]
    PAYMENT_ISSUE_PAID_BUT_UNAVAILABLE: _ClassVar[PaymentIssue]
    PAYMENT_ISSUE_REVERSED: _ClassVar[PaymentIssue]
    PAYMENT_ISSUE_DUPLICATE_PAYMENT: _ClassVar[PaymentIssue]
    PAYMENT_ISSUE_CHARGED_BACK: _ClassVar[PaymentIssue]
    PAYMENT_ISSUE_REFUNDED_OUTSIDE: _ClassVar[PaymentIssue]
    PAYMENT_ISSUE_REFUND_FAILED: _ClassVar[PaymentIssue]

class PaymentMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_METHOD_UNSPECIFIED: _ClassVar[PaymentMethod]
    PAYMENT_METHOD_MERCADO_PAGO: _ClassVar[PaymentMethod]
    PAYMENT_METHOD_CASH: _ClassVar[PaymentMethod]
    PAYMENT_METHOD_TRANSFER: _ClassVar[PaymentMethod]

class RefundStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_STATUS_UNSPECIFIED: _ClassVar[RefundStatus]
    REFUND_STATUS_REQUESTED: _ClassVar[RefundStatus]
    REFUND_STATUS_APPROVED: _ClassVar[RefundStatus]
    REFUND_STATUS_REJECTED: _ClassVar[RefundStatus]
    REFUND_STATUS_FAILED: _ClassVar[RefundStatus]
    REFUND_STATUS_BY_HAND: _ClassVar[RefundStatus]
PAYMENT_STATUS_UNSPECIFIED: PaymentStatus
PAYMENT_STATUS_PENDING: PaymentStatus
PAYMENT_STATUS_APPROVED: PaymentStatus
PAYMENT_STATUS_AUTHORIZED: PaymentStatus
PAYMENT_STATUS_IN_PROCESS: PaymentStatus
PAYMENT_STATUS_IN_MEDIATION: PaymentStatus
PAYMENT_STATUS_REJECTED: PaymentStatus
PAYMENT_STATUS_CANCELLED: PaymentStatus
PAYMENT_STATUS_REFUNDED: PaymentStatus
PAYMENT_STATUS_CHARGED_BACK: PaymentStatus
PAYMENT_ISSUE_NONE: PaymentIssue
PAYMENT_ISSUE_AMOUNT_MISMATCH: PaymentIssue
PAYMENT_ISSUE_CURRENCY_MISMATCH: PaymentIssue
PAYMENT_ISSUE_UNKNOWN_REFERENCE: PaymentIssue
PAYMENT_ISSUE_PAID_BUT_UNAVAILABLE: PaymentIssue
PAYMENT_ISSUE_REVERSED: PaymentIssue
PAYMENT_ISSUE_DUPLICATE_PAYMENT: PaymentIssue
PAYMENT_ISSUE_CHARGED_BACK: PaymentIssue
PAYMENT_ISSUE_REFUNDED_OUTSIDE: PaymentIssue
PAYMENT_ISSUE_REFUND_FAILED: PaymentIssue
PAYMENT_METHOD_UNSPECIFIED: PaymentMethod
PAYMENT_METHOD_MERCADO_PAGO: PaymentMethod
PAYMENT_METHOD_CASH: PaymentMethod
PAYMENT_METHOD_TRANSFER: PaymentMethod
REFUND_STATUS_UNSPECIFIED: RefundStatus
REFUND_STATUS_REQUESTED: RefundStatus
REFUND_STATUS_APPROVED: RefundStatus
REFUND_STATUS_REJECTED: RefundStatus
REFUND_STATUS_FAILED: RefundStatus
REFUND_STATUS_BY_HAND: RefundStatus

class CreatePaymentLinkRequest(_message.Message):
    __slots__ = ("reservation_code", "payer_email")
    RESERVATION_CODE_FIELD_NUMBER: _ClassVar[int]
    PAYER_EMAIL_FIELD_NUMBER: _ClassVar[int]
    reservation_code: str
    payer_email: str
    def __init__(self, reservation_code: _Optional[str] = ..., payer_email: _Optional[str] = ...) -> None: ...

class PaymentLink(_message.Message):
    __slots__ = ("preference_id", "init_point", "amount", "expires_at", "sandbox", "reservation_code")
    PREFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    INIT_POINT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_CODE_FIELD_NUMBER: _ClassVar[int]
    preference_id: str
    init_point: str
    amount: _common_pb2.Money
    expires_at: _timestamp_pb2.Timestamp
    sandbox: bool
    reservation_code: str
    def __init__(self, preference_id: _Optional[str] = ..., init_point: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sandbox: _Optional[bool] = ..., reservation_code: _Optional[str] = ...) -> None: ...

class HandleNotificationRequest(_message.Message):
    __slots__ = ("body", "query", "headers", "received_at", "traceparent")
    class QueryEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    BODY_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    TRACEPARENT_FIELD_NUMBER: _ClassVar[int]
    body: bytes
    query: _containers.ScalarMap[str, str]
    headers: _containers.ScalarMap[str, str]
    received_at: _timestamp_pb2.Timestamp
    traceparent: str
    def __init__(self, body: _Optional[bytes] = ..., query: _Optional[_Mapping[str, str]] = ..., headers: _Optional[_Mapping[str, str]] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., traceparent: _Optional[str] = ...) -> None: ...

class HandleNotificationResponse(_message.Message):
    __slots__ = ("notification_id", "resource_id", "topic")
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    notification_id: int
    resource_id: str
    topic: str
    def __init__(self, notification_id: _Optional[int] = ..., resource_id: _Optional[str] = ..., topic: _Optional[str] = ...) -> None: ...

class Payment(_message.Message):
    __slots__ = ("external_id", "reservation_code", "status", "status_detail", "amount", "events_count", "first_event_at", "last_event_at", "issue", "method", "recorded_by", "note", "kind", "refunded")
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_DETAIL_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    EVENTS_COUNT_FIELD_NUMBER: _ClassVar[int]
    FIRST_EVENT_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_AT_FIELD_NUMBER: _ClassVar[int]
    ISSUE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_FIELD_NUMBER: _ClassVar[int]
    external_id: str
    reservation_code: str
    status: PaymentStatus
    status_detail: str
    amount: _common_pb2.Money
    events_count: int
    first_event_at: _timestamp_pb2.Timestamp
    last_event_at: _timestamp_pb2.Timestamp
    issue: PaymentIssue
    method: PaymentMethod
    recorded_by: str
    note: str
    kind: str
    refunded: _common_pb2.Money
    def __init__(self, external_id: _Optional[str] = ..., reservation_code: _Optional[str] = ..., status: _Optional[_Union[PaymentStatus, str]] = ..., status_detail: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., events_count: _Optional[int] = ..., first_event_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_event_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., issue: _Optional[_Union[PaymentIssue, str]] = ..., method: _Optional[_Union[PaymentMethod, str]] = ..., recorded_by: _Optional[str] = ..., note: _Optional[str] = ..., kind: _Optional[str] = ..., refunded: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class GetPaymentRequest(_message.Message):
    __slots__ = ("external_id",)
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    external_id: str
    def __init__(self, external_id: _Optional[str] = ...) -> None: ...

class ListPaymentsRequest(_message.Message):
    __slots__ = ("reservation_code", "statuses", "page")
    RESERVATION_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    reservation_code: str
    statuses: _containers.RepeatedScalarFieldContainer[PaymentStatus]
    page: _common_pb2.PageRequest
    def __init__(self, reservation_code: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[PaymentStatus, str]]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListPaymentsResponse(_message.Message):
    __slots__ = ("payments", "page")
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    payments: _containers.RepeatedCompositeFieldContainer[Payment]
    page: _common_pb2.PageResponse
    def __init__(self, payments: _Optional[_Iterable[_Union[Payment, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ReprocessNotificationRequest(_message.Message):
    __slots__ = ("notification_id",)
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    notification_id: int
    def __init__(self, notification_id: _Optional[int] = ...) -> None: ...

class StreamPaymentEventsRequest(_message.Message):
    __slots__ = ("after_id", "follow")
    AFTER_ID_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    after_id: int
    follow: bool
    def __init__(self, after_id: _Optional[int] = ..., follow: _Optional[bool] = ...) -> None: ...

class PaymentEvent(_message.Message):
    __slots__ = ("id", "type", "occurred_at", "payment", "traceparent", "refund")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    TRACEPARENT_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    id: int
    type: str
    occurred_at: _timestamp_pb2.Timestamp
    payment: Payment
    traceparent: str
    refund: Refund
    def __init__(self, id: _Optional[int] = ..., type: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payment: _Optional[_Union[Payment, _Mapping]] = ..., traceparent: _Optional[str] = ..., refund: _Optional[_Union[Refund, _Mapping]] = ...) -> None: ...

class RecordPaymentRequest(_message.Message):
    __slots__ = ("reservation_code", "amount", "method", "actor", "idempotency_key", "note")
    RESERVATION_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    reservation_code: str
    amount: _common_pb2.Money
    method: PaymentMethod
    actor: str
    idempotency_key: str
    note: str
    def __init__(self, reservation_code: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., method: _Optional[_Union[PaymentMethod, str]] = ..., actor: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class GetBalanceRequest(_message.Message):
    __slots__ = ("reservation_code",)
    RESERVATION_CODE_FIELD_NUMBER: _ClassVar[int]
    reservation_code: str
    def __init__(self, reservation_code: _Optional[str] = ...) -> None: ...

class Balance(_message.Message):
    __slots__ = ("reservation_code", "total", "paid", "refunded", "balance_due", "overpaid", "balance_payment_url", "if_cancelled_now", "refunds")
    RESERVATION_CODE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PAID_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_FIELD_NUMBER: _ClassVar[int]
    BALANCE_DUE_FIELD_NUMBER: _ClassVar[int]
    OVERPAID_FIELD_NUMBER: _ClassVar[int]
    BALANCE_PAYMENT_URL_FIELD_NUMBER: _ClassVar[int]
    IF_CANCELLED_NOW_FIELD_NUMBER: _ClassVar[int]
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    reservation_code: str
    total: _common_pb2.Money
    paid: _common_pb2.Money
    refunded: _common_pb2.Money
    balance_due: _common_pb2.Money
    overpaid: _common_pb2.Money
    balance_payment_url: str
    if_cancelled_now: CancellationQuote
    refunds: _containers.RepeatedCompositeFieldContainer[Refund]
    def __init__(self, reservation_code: _Optional[str] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., paid: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., refunded: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., balance_due: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., overpaid: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., balance_payment_url: _Optional[str] = ..., if_cancelled_now: _Optional[_Union[CancellationQuote, _Mapping]] = ..., refunds: _Optional[_Iterable[_Union[Refund, _Mapping]]] = ...) -> None: ...

class CancellationQuote(_message.Message):
    __slots__ = ("days_before", "percent", "refund")
    DAYS_BEFORE_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    days_before: int
    percent: int
    refund: _common_pb2.Money
    def __init__(self, days_before: _Optional[int] = ..., percent: _Optional[int] = ..., refund: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Refund(_message.Message):
    __slots__ = ("id", "reservation_code", "payment_external_id", "amount", "status", "error", "attempts", "actor", "reason", "external_id", "created_at", "updated_at", "settled_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_CODE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    SETTLED_BY_FIELD_NUMBER: _ClassVar[int]
    id: int
    reservation_code: str
    payment_external_id: str
    amount: _common_pb2.Money
    status: RefundStatus
    error: str
    attempts: int
    actor: str
    reason: str
    external_id: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    settled_by: str
    def __init__(self, id: _Optional[int] = ..., reservation_code: _Optional[str] = ..., payment_external_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., status: _Optional[_Union[RefundStatus, str]] = ..., error: _Optional[str] = ..., attempts: _Optional[int] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ..., external_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., settled_by: _Optional[str] = ...) -> None: ...

class RefundPaymentRequest(_message.Message):
    __slots__ = ("reservation_code", "amount", "actor", "reason", "idempotency_key")
    RESERVATION_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    reservation_code: str
    amount: _common_pb2.Money
    actor: str
    reason: str
    idempotency_key: str
    def __init__(self, reservation_code: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class SettleRefundRequest(_message.Message):
    __slots__ = ("reservation_code", "refund_id", "actor")
    RESERVATION_CODE_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    reservation_code: str
    refund_id: int
    actor: str
    def __init__(self, reservation_code: _Optional[str] = ..., refund_id: _Optional[int] = ..., actor: _Optional[str] = ...) -> None: ...
