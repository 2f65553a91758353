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

class SyncStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SYNC_STATUS_UNSPECIFIED: _ClassVar[SyncStatus]
    SYNC_STATUS_OK: _ClassVar[SyncStatus]
    SYNC_STATUS_NOT_MODIFIED: _ClassVar[SyncStatus]
    SYNC_STATUS_FAILED: _ClassVar[SyncStatus]
    SYNC_STATUS_SKIPPED: _ClassVar[SyncStatus]
SYNC_STATUS_UNSPECIFIED: SyncStatus
SYNC_STATUS_OK: SyncStatus
SYNC_STATUS_NOT_MODIFIED: SyncStatus
SYNC_STATUS_FAILED: SyncStatus
SYNC_STATUS_SKIPPED: SyncStatus

class Feed(_message.Message):
    __slots__ = ("id", "accommodation_id", "url", "source", "created_at", "last_sync_at", "last_success_at", "last_status", "last_error", "events_count", "conflicts_count", "conflicts")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SYNC_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SUCCESS_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_STATUS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    EVENTS_COUNT_FIELD_NUMBER: _ClassVar[int]
    CONFLICTS_COUNT_FIELD_NUMBER: _ClassVar[int]
    CONFLICTS_FIELD_NUMBER: _ClassVar[int]
    id: int
    accommodation_id: int
    url: str
    source: str
    created_at: _timestamp_pb2.Timestamp
    last_sync_at: _timestamp_pb2.Timestamp
    last_success_at: _timestamp_pb2.Timestamp
    last_status: SyncStatus
    last_error: str
    events_count: int
    conflicts_count: int
    conflicts: _containers.RepeatedCompositeFieldContainer[_common_pb2.BlockConflict]
    def __init__(self, id: _Optional[int] = ..., accommodation_id: _Optional[int] = ..., url: _Optional[str] = ..., source: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_sync_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_success_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_status: _Optional[_Union[SyncStatus, str]] = ..., last_error: _Optional[str] = ..., events_count: _Optional[int] = ..., conflicts_count: _Optional[int] = ..., conflicts: _Optional[_Iterable[_Union[_common_pb2.BlockConflict, _Mapping]]] = ...) -> None: ...

class AddFeedRequest(_message.Message):
    __slots__ = ("accommodation_id", "url", "source")
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    url: str
    source: str
    def __init__(self, accommodation_id: _Optional[int] = ..., url: _Optional[str] = ..., source: _Optional[str] = ...) -> None: ...

class ListFeedsRequest(_message.Message):
    __slots__ = ("accommodation_id",)
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    def __init__(self, accommodation_id: _Optional[int] = ...) -> None: ...

class ListFeedsResponse(_message.Message):
    __slots__ = ("feeds",)
    FEEDS_FIELD_NUMBER: _ClassVar[int]
    feeds: _containers.RepeatedCompositeFieldContainer[Feed]
    def __init__(self, feeds: _Optional[_Iterable[_Union[Feed, _Mapping]]] = ...) -> None: ...

class RemoveFeedRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: int
    def __init__(self, id: _Optional[int] = ...) -> None: ...

class RemoveFeedResponse(_message.Message):
    __slots__ = ("blocks_removed",)
    BLOCKS_REMOVED_FIELD_NUMBER: _ClassVar[int]
    blocks_removed: int
    def __init__(self, blocks_removed: _Optional[int] = ...) -> None: ...

class SyncFeedRequest(_message.Message):
    __slots__ = ("id", "force")
    ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    id: int
    force: bool
    def __init__(self, id: _Optional[int] = ..., force: _Optional[bool] = ...) -> None: ...

class SyncResult(_message.Message):
    __slots__ = ("feed_id", "status", "created", "updated", "removed", "unchanged", "conflicts", "error", "started_at", "finished_at")
    FEED_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    UNCHANGED_FIELD_NUMBER: _ClassVar[int]
    CONFLICTS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    feed_id: int
    status: SyncStatus
    created: int
    updated: int
    removed: int
    unchanged: int
    conflicts: _containers.RepeatedCompositeFieldContainer[_common_pb2.BlockConflict]
    error: str
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    def __init__(self, feed_id: _Optional[int] = ..., status: _Optional[_Union[SyncStatus, str]] = ..., created: _Optional[int] = ..., updated: _Optional[int] = ..., removed: _Optional[int] = ..., unchanged: _Optional[int] = ..., conflicts: _Optional[_Iterable[_Union[_common_pb2.BlockConflict, _Mapping]]] = ..., error: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SyncAllRequest(_message.Message):
    __slots__ = ("force",)
    FORCE_FIELD_NUMBER: _ClassVar[int]
    force: bool
    def __init__(self, force: _Optional[bool] = ...) -> None: ...

class SyncAllResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[SyncResult]
    def __init__(self, results: _Optional[_Iterable[_Union[SyncResult, _Mapping]]] = ...) -> None: ...

class ExportCalendarRequest(_message.Message):
    __slots__ = ("accommodation_id", "token", "exclude_source")
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    token: str
    exclude_source: str
    def __init__(self, accommodation_id: _Optional[int] = ..., token: _Optional[str] = ..., exclude_source: _Optional[str] = ...) -> None: ...

class ExportCalendarResponse(_message.Message):
    __slots__ = ("ics", "etag", "last_modified")
    ICS_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    LAST_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    ics: str
    etag: str
    last_modified: _timestamp_pb2.Timestamp
    def __init__(self, ics: _Optional[str] = ..., etag: _Optional[str] = ..., last_modified: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ExportUrlRequest(_message.Message):
    __slots__ = ("accommodation_id",)
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    def __init__(self, accommodation_id: _Optional[int] = ...) -> None: ...

class ExportUrlResponse(_message.Message):
    __slots__ = ("export_url", "per_source_urls")
    class PerSourceUrlsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EXPORT_URL_FIELD_NUMBER: _ClassVar[int]
    PER_SOURCE_URLS_FIELD_NUMBER: _ClassVar[int]
    export_url: str
    per_source_urls: _containers.ScalarMap[str, str]
    def __init__(self, export_url: _Optional[str] = ..., per_source_urls: _Optional[_Mapping[str, str]] = ...) -> None: ...
