from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReservationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESERVATION_STATUS_UNSPECIFIED: _ClassVar[ReservationStatus]
    RESERVATION_STATUS_PRE_RESERVED: _ClassVar[ReservationStatus]
    RESERVATION_STATUS_CONFIRMED: _ClassVar[ReservationStatus]
    RESERVATION_STATUS_CANCELLED: _ClassVar[ReservationStatus]
    RESERVATION_STATUS_EXPIRED: _ClassVar[ReservationStatus]
    RESERVATION_STATUS_BLOCKED: _ClassVar[ReservationStatus]

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_WHATSAPP: _ClassVar[Channel]
    CHANNEL_WEB: _ClassVar[Channel]
    CHANNEL_ADMIN: _ClassVar[Channel]
    CHANNEL_ICAL: _ClassVar[Channel]
RESERVATION_STATUS_UNSPECIFIED: ReservationStatus
RESERVATION_STATUS_PRE_RESERVED: ReservationStatus
RESERVATION_STATUS_CONFIRMED: ReservationStatus
RESERVATION_STATUS_CANCELLED: ReservationStatus
RESERVATION_STATUS_EXPIRED: ReservationStatus
RESERVATION_STATUS_BLOCKED: ReservationStatus
CHANNEL_UNSPECIFIED: Channel
CHANNEL_WHATSAPP: Channel
CHANNEL_WEB: Channel
CHANNEL_ADMIN: Channel
CHANNEL_ICAL: Channel

class Date(_message.Message):
    __slots__ = ("year", "month", "day")
    YEAR_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    year: int
    month: int
    day: int
    def __init__(self, year: _Optional[int] = ..., month: _Optional[int] = ..., day: _Optional[int] = ...) -> None: ...

class DateRange(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: Date
    end: Date
    def __init__(self, start: _Optional[_Union[Date, _Mapping]] = ..., end: _Optional[_Union[Date, _Mapping]] = ...) -> None: ...

class Money(_message.Message):
    __slots__ = ("amount_minor", "currency")
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    currency: str
    def __init__(self, amount_minor: _Optional[int] = ..., currency: _Optional[str] = ...) -> None: ...

class PageRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class PageResponse(_message.Message):
    __slots__ = ("next_page_token", "total_size")
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    total_size: int
    def __init__(self, next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class BlockConflict(_message.Message):
    __slots__ = ("uid", "range", "reservation_code", "reservation_range", "source")
    UID_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_CODE_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_RANGE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    uid: str
    range: DateRange
    reservation_code: str
    reservation_range: DateRange
    source: str
    def __init__(self, uid: _Optional[str] = ..., range: _Optional[_Union[DateRange, _Mapping]] = ..., reservation_code: _Optional[str] = ..., reservation_range: _Optional[_Union[DateRange, _Mapping]] = ..., source: _Optional[str] = ...) -> None: ...
