import datetime

from cabanas.v1 import common_pb2 as _common_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Weekday(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEEKDAY_UNSPECIFIED: _ClassVar[Weekday]
    WEEKDAY_MONDAY: _ClassVar[Weekday]
    WEEKDAY_TUESDAY: _ClassVar[Weekday]
    WEEKDAY_WEDNESDAY: _ClassVar[Weekday]
    WEEKDAY_THURSDAY: _ClassVar[Weekday]
    WEEKDAY_FRIDAY: _ClassVar[Weekday]
    WEEKDAY_SATURDAY: _ClassVar[Weekday]
    WEEKDAY_SUNDAY: _ClassVar[Weekday]

class ConfirmOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONFIRM_OUTCOME_UNSPECIFIED: _ClassVar[ConfirmOutcome]
    CONFIRM_OUTCOME_CONFIRMED: _ClassVar[ConfirmOutcome]
    CONFIRM_OUTCOME_ALREADY_CONFIRMED: _ClassVar[ConfirmOutcome]
    CONFIRM_OUTCOME_RETAKEN: _ClassVar[ConfirmOutcome]
    CONFIRM_OUTCOME_PAID_BUT_UNAVAILABLE: _ClassVar[ConfirmOutcome]

class PricePolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRICE_POLICY_UNSPECIFIED: _ClassVar[PricePolicy]
    PRICE_POLICY_REPRICE: _ClassVar[PricePolicy]
    PRICE_POLICY_KEEP: _ClassVar[PricePolicy]
    PRICE_POLICY_OVERRIDE: _ClassVar[PricePolicy]

class RefundMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_MODE_UNSPECIFIED: _ClassVar[RefundMode]
    REFUND_MODE_POLICY: _ClassVar[RefundMode]
    REFUND_MODE_FULL: _ClassVar[RefundMode]
    REFUND_MODE_AMOUNT: _ClassVar[RefundMode]
    REFUND_MODE_NONE: _ClassVar[RefundMode]
WEEKDAY_UNSPECIFIED: Weekday
WEEKDAY_MONDAY: Weekday
WEEKDAY_TUESDAY: Weekday
WEEKDAY_WEDNESDAY: Weekday
WEEKDAY_THURSDAY: Weekday
WEEKDAY_FRIDAY: Weekday
WEEKDAY_SATURDAY: Weekday
WEEKDAY_SUNDAY: Weekday
CONFIRM_OUTCOME_UNSPECIFIED: ConfirmOutcome
CONFIRM_OUTCOME_CONFIRMED: ConfirmOutcome
CONFIRM_OUTCOME_ALREADY_CONFIRMED: ConfirmOutcome
CONFIRM_OUTCOME_RETAKEN: ConfirmOutcome
CONFIRM_OUTCOME_PAID_BUT_UNAVAILABLE: ConfirmOutcome
PRICE_POLICY_UNSPECIFIED: PricePolicy
PRICE_POLICY_REPRICE: PricePolicy
PRICE_POLICY_KEEP: PricePolicy
PRICE_POLICY_OVERRIDE: PricePolicy
REFUND_MODE_UNSPECIFIED: RefundMode
REFUND_MODE_POLICY: RefundMode
REFUND_MODE_FULL: RefundMode
REFUND_MODE_AMOUNT: RefundMode
REFUND_MODE_NONE: RefundMode

class SeasonalRate(_message.Message):
    __slots__ = ("name", "range", "nightly_price", "multiplier_percent", "min_nights")
    NAME_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    NIGHTLY_PRICE_FIELD_NUMBER: _ClassVar[int]
    MULTIPLIER_PERCENT_FIELD_NUMBER: _ClassVar[int]
    MIN_NIGHTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    range: _common_pb2.DateRange
    nightly_price: _common_pb2.Money
    multiplier_percent: int
    min_nights: int
    def __init__(self, name: _Optional[str] = ..., range: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., nightly_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., multiplier_percent: _Optional[int] = ..., min_nights: _Optional[int] = ...) -> None: ...

class Location(_message.Message):
    __slots__ = ("address", "city", "province", "latitude", "longitude", "maps_url")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    MAPS_URL_FIELD_NUMBER: _ClassVar[int]
    address: str
    city: str
    province: str
    latitude: float
    longitude: float
    maps_url: str
    def __init__(self, address: _Optional[str] = ..., city: _Optional[str] = ..., province: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., maps_url: _Optional[str] = ...) -> None: ...

class Accommodation(_message.Message):
    __slots__ = ("id", "slug", "name", "type", "description", "capacity", "base_nightly_price", "weekend_multiplier_percent", "weekend_nights", "seasons", "min_nights", "max_nights", "deposit_percent", "time_zone", "check_in_time", "check_out_time", "amenities", "photos", "location", "active", "created_at", "updated_at", "guest_info", "cancellation_rules", "balance_on_arrival", "guest_messages")
    ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    BASE_NIGHTLY_PRICE_FIELD_NUMBER: _ClassVar[int]
    WEEKEND_MULTIPLIER_PERCENT_FIELD_NUMBER: _ClassVar[int]
    WEEKEND_NIGHTS_FIELD_NUMBER: _ClassVar[int]
    SEASONS_FIELD_NUMBER: _ClassVar[int]
    MIN_NIGHTS_FIELD_NUMBER: _ClassVar[int]
    MAX_NIGHTS_FIELD_NUMBER: _ClassVar[int]
    DEPOSIT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    CHECK_IN_TIME_FIELD_NUMBER: _ClassVar[int]
    CHECK_OUT_TIME_FIELD_NUMBER: _ClassVar[int]
    AMENITIES_FIELD_NUMBER: _ClassVar[int]
    PHOTOS_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    GUEST_INFO_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_RULES_FIELD_NUMBER: _ClassVar[int]
    BALANCE_ON_ARRIVAL_FIELD_NUMBER: _ClassVar[int]
    GUEST_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    id: int
    slug: str
    name: str
    type: str
    description: str
    capacity: int
    base_nightly_price: _common_pb2.Money
    weekend_multiplier_percent: int
    weekend_nights: _containers.RepeatedScalarFieldContainer[Weekday]
    seasons: _containers.RepeatedCompositeFieldContainer[SeasonalRate]
    min_nights: int
    max_nights: int
    deposit_percent: int
    time_zone: str
    check_in_time: str
    check_out_time: str
    amenities: _containers.RepeatedScalarFieldContainer[str]
    photos: _containers.RepeatedScalarFieldContainer[str]
    location: Location
    active: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    guest_info: GuestInfo
    cancellation_rules: _containers.RepeatedCompositeFieldContainer[CancellationRule]
    balance_on_arrival: bool
    guest_messages: GuestMessages
    def __init__(self, id: _Optional[int] = ..., slug: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., description: _Optional[str] = ..., capacity: _Optional[int] = ..., base_nightly_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., weekend_multiplier_percent: _Optional[int] = ..., weekend_nights: _Optional[_Iterable[_Union[Weekday, str]]] = ..., seasons: _Optional[_Iterable[_Union[SeasonalRate, _Mapping]]] = ..., min_nights: _Optional[int] = ..., max_nights: _Optional[int] = ..., deposit_percent: _Optional[int] = ..., time_zone: _Optional[str] = ..., check_in_time: _Optional[str] = ..., check_out_time: _Optional[str] = ..., amenities: _Optional[_Iterable[str]] = ..., photos: _Optional[_Iterable[str]] = ..., location: _Optional[_Union[Location, _Mapping]] = ..., active: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., guest_info: _Optional[_Union[GuestInfo, _Mapping]] = ..., cancellation_rules: _Optional[_Iterable[_Union[CancellationRule, _Mapping]]] = ..., balance_on_arrival: _Optional[bool] = ..., guest_messages: _Optional[_Union[GuestMessages, _Mapping]] = ...) -> None: ...

class GuestMessages(_message.Message):
    __slots__ = ("keys", "arrival_note", "departure_note", "review_url", "confirmed_note")
    KEYS_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_NOTE_FIELD_NUMBER: _ClassVar[int]
    DEPARTURE_NOTE_FIELD_NUMBER: _ClassVar[int]
    REVIEW_URL_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_NOTE_FIELD_NUMBER: _ClassVar[int]
    keys: str
    arrival_note: str
    departure_note: str
    review_url: str
    confirmed_note: str
    def __init__(self, keys: _Optional[str] = ..., arrival_note: _Optional[str] = ..., departure_note: _Optional[str] = ..., review_url: _Optional[str] = ..., confirmed_note: _Optional[str] = ...) -> None: ...

class GuestInfo(_message.Message):
    __slots__ = ("pets", "wifi", "parking", "linen", "grill", "heating", "pool", "children", "directions", "distance_to_town", "house_rules", "cancellation_policy", "payment_methods")
    PETS_FIELD_NUMBER: _ClassVar[int]
    WIFI_FIELD_NUMBER: _ClassVar[int]
    PARKING_FIELD_NUMBER: _ClassVar[int]
    LINEN_FIELD_NUMBER: _ClassVar[int]
    GRILL_FIELD_NUMBER: _ClassVar[int]
    HEATING_FIELD_NUMBER: _ClassVar[int]
    POOL_FIELD_NUMBER: _ClassVar[int]
    CHILDREN_FIELD_NUMBER: _ClassVar[int]
    DIRECTIONS_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_TO_TOWN_FIELD_NUMBER: _ClassVar[int]
    HOUSE_RULES_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_POLICY_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHODS_FIELD_NUMBER: _ClassVar[int]
    pets: str
    wifi: str
    parking: str
    linen: str
    grill: str
    heating: str
    pool: str
    children: str
    directions: str
    distance_to_town: str
    house_rules: str
    cancellation_policy: str
    payment_methods: str
    def __init__(self, pets: _Optional[str] = ..., wifi: _Optional[str] = ..., parking: _Optional[str] = ..., linen: _Optional[str] = ..., grill: _Optional[str] = ..., heating: _Optional[str] = ..., pool: _Optional[str] = ..., children: _Optional[str] = ..., directions: _Optional[str] = ..., distance_to_town: _Optional[str] = ..., house_rules: _Optional[str] = ..., cancellation_policy: _Optional[str] = ..., payment_methods: _Optional[str] = ...) -> None: ...

class CreateAccommodationRequest(_message.Message):
    __slots__ = ("accommodation",)
    ACCOMMODATION_FIELD_NUMBER: _ClassVar[int]
    accommodation: Accommodation
    def __init__(self, accommodation: _Optional[_Union[Accommodation, _Mapping]] = ...) -> None: ...

class UpdateAccommodationRequest(_message.Message):
    __slots__ = ("id", "accommodation", "update_mask")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACCOMMODATION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    id: int
    accommodation: Accommodation
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, id: _Optional[int] = ..., accommodation: _Optional[_Union[Accommodation, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class GetAccommodationRequest(_message.Message):
    __slots__ = ("id", "slug")
    ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    id: int
    slug: str
    def __init__(self, id: _Optional[int] = ..., slug: _Optional[str] = ...) -> None: ...

class ListAccommodationsRequest(_message.Message):
    __slots__ = ("include_inactive", "page")
    INCLUDE_INACTIVE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    include_inactive: bool
    page: _common_pb2.PageRequest
    def __init__(self, include_inactive: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListAccommodationsResponse(_message.Message):
    __slots__ = ("accommodations", "page")
    ACCOMMODATIONS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    accommodations: _containers.RepeatedCompositeFieldContainer[Accommodation]
    page: _common_pb2.PageResponse
    def __init__(self, accommodations: _Optional[_Iterable[_Union[Accommodation, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class NightPrice(_message.Message):
    __slots__ = ("date", "price", "season", "weekend")
    DATE_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    SEASON_FIELD_NUMBER: _ClassVar[int]
    WEEKEND_FIELD_NUMBER: _ClassVar[int]
    date: _common_pb2.Date
    price: _common_pb2.Money
    season: str
    weekend: bool
    def __init__(self, date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., season: _Optional[str] = ..., weekend: _Optional[bool] = ...) -> None: ...

class StayQuote(_message.Message):
    __slots__ = ("accommodation_id", "stay", "nights", "breakdown", "total", "deposit", "deposit_percent", "min_nights")
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    STAY_FIELD_NUMBER: _ClassVar[int]
    NIGHTS_FIELD_NUMBER: _ClassVar[int]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    DEPOSIT_FIELD_NUMBER: _ClassVar[int]
    DEPOSIT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    MIN_NIGHTS_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    stay: _common_pb2.DateRange
    nights: int
    breakdown: _containers.RepeatedCompositeFieldContainer[NightPrice]
    total: _common_pb2.Money
    deposit: _common_pb2.Money
    deposit_percent: int
    min_nights: int
    def __init__(self, accommodation_id: _Optional[int] = ..., stay: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., nights: _Optional[int] = ..., breakdown: _Optional[_Iterable[_Union[NightPrice, _Mapping]]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., deposit: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., deposit_percent: _Optional[int] = ..., min_nights: _Optional[int] = ...) -> None: ...

class QuoteRequest(_message.Message):
    __slots__ = ("accommodation_id", "stay", "guests")
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    STAY_FIELD_NUMBER: _ClassVar[int]
    GUESTS_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    stay: _common_pb2.DateRange
    guests: int
    def __init__(self, accommodation_id: _Optional[int] = ..., stay: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., guests: _Optional[int] = ...) -> None: ...

class CheckAvailabilityRequest(_message.Message):
    __slots__ = ("stay", "guests", "accommodation_id", "busy_window")
    STAY_FIELD_NUMBER: _ClassVar[int]
    GUESTS_FIELD_NUMBER: _ClassVar[int]
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    BUSY_WINDOW_FIELD_NUMBER: _ClassVar[int]
    stay: _common_pb2.DateRange
    guests: int
    accommodation_id: int
    busy_window: _common_pb2.DateRange
    def __init__(self, stay: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., guests: _Optional[int] = ..., accommodation_id: _Optional[int] = ..., busy_window: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ...) -> None: ...

class AvailableAccommodation(_message.Message):
    __slots__ = ("accommodation", "quote")
    ACCOMMODATION_FIELD_NUMBER: _ClassVar[int]
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    accommodation: Accommodation
    quote: StayQuote
    def __init__(self, accommodation: _Optional[_Union[Accommodation, _Mapping]] = ..., quote: _Optional[_Union[StayQuote, _Mapping]] = ...) -> None: ...

class UnavailableAccommodation(_message.Message):
    __slots__ = ("accommodation_id", "reason")
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    reason: str
    def __init__(self, accommodation_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class BusyRange(_message.Message):
    __slots__ = ("range", "status")
    RANGE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    range: _common_pb2.DateRange
    status: _common_pb2.ReservationStatus
    def __init__(self, range: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., status: _Optional[_Union[_common_pb2.ReservationStatus, str]] = ...) -> None: ...

class AccommodationBusy(_message.Message):
    __slots__ = ("accommodation_id", "busy")
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    BUSY_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    busy: _containers.RepeatedCompositeFieldContainer[BusyRange]
    def __init__(self, accommodation_id: _Optional[int] = ..., busy: _Optional[_Iterable[_Union[BusyRange, _Mapping]]] = ...) -> None: ...

class CheckAvailabilityResponse(_message.Message):
    __slots__ = ("available", "unavailable", "busy")
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    UNAVAILABLE_FIELD_NUMBER: _ClassVar[int]
    BUSY_FIELD_NUMBER: _ClassVar[int]
    available: _containers.RepeatedCompositeFieldContainer[AvailableAccommodation]
    unavailable: _containers.RepeatedCompositeFieldContainer[UnavailableAccommodation]
    busy: _containers.RepeatedCompositeFieldContainer[AccommodationBusy]
    def __init__(self, available: _Optional[_Iterable[_Union[AvailableAccommodation, _Mapping]]] = ..., unavailable: _Optional[_Iterable[_Union[UnavailableAccommodation, _Mapping]]] = ..., busy: _Optional[_Iterable[_Union[AccommodationBusy, _Mapping]]] = ...) -> None: ...

class Guest(_message.Message):
    __slots__ = ("name", "phone", "email")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    name: str
    phone: str
    email: str
    def __init__(self, name: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class Reservation(_message.Message):
    __slots__ = ("code", "accommodation_id", "accommodation_name", "stay", "guests", "guest", "status", "channel", "nights", "total", "deposit", "breakdown", "expires_at", "confirmed_at", "cancelled_at", "external_source", "external_uid", "paid_but_unavailable", "created_at", "updated_at", "payment_url", "block_reason", "cancellation_rules", "time_zone", "balance_on_arrival", "refund_mode", "refund_amount")
    CODE_FIELD_NUMBER: _ClassVar[int]
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOMMODATION_NAME_FIELD_NUMBER: _ClassVar[int]
    STAY_FIELD_NUMBER: _ClassVar[int]
    GUESTS_FIELD_NUMBER: _ClassVar[int]
    GUEST_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    NIGHTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    DEPOSIT_FIELD_NUMBER: _ClassVar[int]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_AT_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_SOURCE_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_UID_FIELD_NUMBER: _ClassVar[int]
    PAID_BUT_UNAVAILABLE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_URL_FIELD_NUMBER: _ClassVar[int]
    BLOCK_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_RULES_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    BALANCE_ON_ARRIVAL_FIELD_NUMBER: _ClassVar[int]
    REFUND_MODE_FIELD_NUMBER: _ClassVar[int]
    REFUND_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    code: str
    accommodation_id: int
    accommodation_name: str
    stay: _common_pb2.DateRange
    guests: int
    guest: Guest
    status: _common_pb2.ReservationStatus
    channel: _common_pb2.Channel
    nights: int
    total: _common_pb2.Money
    deposit: _common_pb2.Money
    breakdown: _containers.RepeatedCompositeFieldContainer[NightPrice]
    expires_at: _timestamp_pb2.Timestamp
    confirmed_at: _timestamp_pb2.Timestamp
    cancelled_at: _timestamp_pb2.Timestamp
    external_source: str
    external_uid: str
    paid_but_unavailable: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    payment_url: str
    block_reason: str
    cancellation_rules: _containers.RepeatedCompositeFieldContainer[CancellationRule]
    time_zone: str
    balance_on_arrival: bool
    refund_mode: RefundMode
    refund_amount: _common_pb2.Money
    def __init__(self, code: _Optional[str] = ..., accommodation_id: _Optional[int] = ..., accommodation_name: _Optional[str] = ..., stay: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., guests: _Optional[int] = ..., guest: _Optional[_Union[Guest, _Mapping]] = ..., status: _Optional[_Union[_common_pb2.ReservationStatus, str]] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., nights: _Optional[int] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., deposit: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., breakdown: _Optional[_Iterable[_Union[NightPrice, _Mapping]]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., confirmed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancelled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., external_source: _Optional[str] = ..., external_uid: _Optional[str] = ..., paid_but_unavailable: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payment_url: _Optional[str] = ..., block_reason: _Optional[str] = ..., cancellation_rules: _Optional[_Iterable[_Union[CancellationRule, _Mapping]]] = ..., time_zone: _Optional[str] = ..., balance_on_arrival: _Optional[bool] = ..., refund_mode: _Optional[_Union[RefundMode, str]] = ..., refund_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class PreReserveRequest(_message.Message):
    __slots__ = ("accommodation_id", "stay", "guests", "guest", "channel", "idempotency_key", "client_id")
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    STAY_FIELD_NUMBER: _ClassVar[int]
    GUESTS_FIELD_NUMBER: _ClassVar[int]
    GUEST_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    stay: _common_pb2.DateRange
    guests: int
    guest: Guest
    channel: _common_pb2.Channel
    idempotency_key: str
    client_id: str
    def __init__(self, accommodation_id: _Optional[int] = ..., stay: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., guests: _Optional[int] = ..., guest: _Optional[_Union[Guest, _Mapping]] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., idempotency_key: _Optional[str] = ..., client_id: _Optional[str] = ...) -> None: ...

class PreReserveResponse(_message.Message):
    __slots__ = ("reservation", "manage_token", "replayed")
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    MANAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    reservation: Reservation
    manage_token: str
    replayed: bool
    def __init__(self, reservation: _Optional[_Union[Reservation, _Mapping]] = ..., manage_token: _Optional[str] = ..., replayed: _Optional[bool] = ...) -> None: ...

class ConfirmReservationRequest(_message.Message):
    __slots__ = ("code", "payment_reference", "forced_by_admin", "actor")
    CODE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FORCED_BY_ADMIN_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    code: str
    payment_reference: str
    forced_by_admin: bool
    actor: str
    def __init__(self, code: _Optional[str] = ..., payment_reference: _Optional[str] = ..., forced_by_admin: _Optional[bool] = ..., actor: _Optional[str] = ...) -> None: ...

class ConfirmReservationResponse(_message.Message):
    __slots__ = ("reservation", "outcome")
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    reservation: Reservation
    outcome: ConfirmOutcome
    def __init__(self, reservation: _Optional[_Union[Reservation, _Mapping]] = ..., outcome: _Optional[_Union[ConfirmOutcome, str]] = ...) -> None: ...

class CancelReservationRequest(_message.Message):
    __slots__ = ("code", "reason", "actor", "refund_mode", "refund_amount")
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REFUND_MODE_FIELD_NUMBER: _ClassVar[int]
    REFUND_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    code: str
    reason: str
    actor: str
    refund_mode: RefundMode
    refund_amount: _common_pb2.Money
    def __init__(self, code: _Optional[str] = ..., reason: _Optional[str] = ..., actor: _Optional[str] = ..., refund_mode: _Optional[_Union[RefundMode, str]] = ..., refund_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class GetReservationRequest(_message.Message):
    __slots__ = ("code", "manage_token", "include_history")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MANAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_HISTORY_FIELD_NUMBER: _ClassVar[int]
    code: str
    manage_token: str
    include_history: bool
    def __init__(self, code: _Optional[str] = ..., manage_token: _Optional[str] = ..., include_history: _Optional[bool] = ...) -> None: ...

class GetReservationResponse(_message.Message):
    __slots__ = ("reservation", "manage_token_valid", "history")
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    MANAGE_TOKEN_VALID_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    reservation: Reservation
    manage_token_valid: bool
    history: _containers.RepeatedCompositeFieldContainer[HistoryEntry]
    def __init__(self, reservation: _Optional[_Union[Reservation, _Mapping]] = ..., manage_token_valid: _Optional[bool] = ..., history: _Optional[_Iterable[_Union[HistoryEntry, _Mapping]]] = ...) -> None: ...

class ListReservationsRequest(_message.Message):
    __slots__ = ("statuses", "accommodation_id", "overlapping", "guest_phone", "page", "search")
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    OVERLAPPING_FIELD_NUMBER: _ClassVar[int]
    GUEST_PHONE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.ReservationStatus]
    accommodation_id: int
    overlapping: _common_pb2.DateRange
    guest_phone: str
    page: _common_pb2.PageRequest
    search: str
    def __init__(self, statuses: _Optional[_Iterable[_Union[_common_pb2.ReservationStatus, str]]] = ..., accommodation_id: _Optional[int] = ..., overlapping: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., guest_phone: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., search: _Optional[str] = ...) -> None: ...

class ListReservationsResponse(_message.Message):
    __slots__ = ("reservations", "page")
    RESERVATIONS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    reservations: _containers.RepeatedCompositeFieldContainer[Reservation]
    page: _common_pb2.PageResponse
    def __init__(self, reservations: _Optional[_Iterable[_Union[Reservation, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ExpireDueRequest(_message.Message):
    __slots__ = ("limit",)
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    limit: int
    def __init__(self, limit: _Optional[int] = ...) -> None: ...

class ExpireDueResponse(_message.Message):
    __slots__ = ("expired_codes",)
    EXPIRED_CODES_FIELD_NUMBER: _ClassVar[int]
    expired_codes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, expired_codes: _Optional[_Iterable[str]] = ...) -> None: ...

class ExternalBlock(_message.Message):
    __slots__ = ("uid", "range", "summary")
    UID_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    uid: str
    range: _common_pb2.DateRange
    summary: str
    def __init__(self, uid: _Optional[str] = ..., range: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., summary: _Optional[str] = ...) -> None: ...

class SyncExternalBlocksRequest(_message.Message):
    __slots__ = ("accommodation_id", "source", "blocks", "allow_empty")
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    BLOCKS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_EMPTY_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    source: str
    blocks: _containers.RepeatedCompositeFieldContainer[ExternalBlock]
    allow_empty: bool
    def __init__(self, accommodation_id: _Optional[int] = ..., source: _Optional[str] = ..., blocks: _Optional[_Iterable[_Union[ExternalBlock, _Mapping]]] = ..., allow_empty: _Optional[bool] = ...) -> None: ...

class SyncExternalBlocksResponse(_message.Message):
    __slots__ = ("created", "updated", "removed", "unchanged", "conflicts")
    CREATED_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    UNCHANGED_FIELD_NUMBER: _ClassVar[int]
    CONFLICTS_FIELD_NUMBER: _ClassVar[int]
    created: int
    updated: int
    removed: int
    unchanged: int
    conflicts: _containers.RepeatedCompositeFieldContainer[_common_pb2.BlockConflict]
    def __init__(self, created: _Optional[int] = ..., updated: _Optional[int] = ..., removed: _Optional[int] = ..., unchanged: _Optional[int] = ..., conflicts: _Optional[_Iterable[_Union[_common_pb2.BlockConflict, _Mapping]]] = ...) -> None: ...

class StreamEventsRequest(_message.Message):
    __slots__ = ("after_id", "types", "follow")
    AFTER_ID_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    after_id: int
    types: _containers.RepeatedScalarFieldContainer[str]
    follow: bool
    def __init__(self, after_id: _Optional[int] = ..., types: _Optional[_Iterable[str]] = ..., follow: _Optional[bool] = ...) -> None: ...

class DomainEvent(_message.Message):
    __slots__ = ("id", "type", "occurred_at", "reservation", "conflict", "traceparent", "previous_stay", "actor", "reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    CONFLICT_FIELD_NUMBER: _ClassVar[int]
    TRACEPARENT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STAY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: int
    type: str
    occurred_at: _timestamp_pb2.Timestamp
    reservation: Reservation
    conflict: _common_pb2.BlockConflict
    traceparent: str
    previous_stay: _common_pb2.DateRange
    actor: str
    reason: str
    def __init__(self, id: _Optional[int] = ..., type: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reservation: _Optional[_Union[Reservation, _Mapping]] = ..., conflict: _Optional[_Union[_common_pb2.BlockConflict, _Mapping]] = ..., traceparent: _Optional[str] = ..., previous_stay: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class HistoryEntry(_message.Message):
    __slots__ = ("at", "actor", "action", "text", "data")
    class DataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    actor: str
    action: str
    text: str
    data: _containers.ScalarMap[str, str]
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., action: _Optional[str] = ..., text: _Optional[str] = ..., data: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CreateBlockRequest(_message.Message):
    __slots__ = ("accommodation_id", "stay", "reason", "actor")
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    STAY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    stay: _common_pb2.DateRange
    reason: str
    actor: str
    def __init__(self, accommodation_id: _Optional[int] = ..., stay: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., reason: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class RemoveBlockRequest(_message.Message):
    __slots__ = ("code", "actor")
    CODE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    code: str
    actor: str
    def __init__(self, code: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class CreateManualReservationRequest(_message.Message):
    __slots__ = ("accommodation_id", "stay", "guests", "guest", "price_override", "note", "actor", "idempotency_key")
    ACCOMMODATION_ID_FIELD_NUMBER: _ClassVar[int]
    STAY_FIELD_NUMBER: _ClassVar[int]
    GUESTS_FIELD_NUMBER: _ClassVar[int]
    GUEST_FIELD_NUMBER: _ClassVar[int]
    PRICE_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    accommodation_id: int
    stay: _common_pb2.DateRange
    guests: int
    guest: Guest
    price_override: _common_pb2.Money
    note: str
    actor: str
    idempotency_key: str
    def __init__(self, accommodation_id: _Optional[int] = ..., stay: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., guests: _Optional[int] = ..., guest: _Optional[_Union[Guest, _Mapping]] = ..., price_override: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., note: _Optional[str] = ..., actor: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class ChangeDatesRequest(_message.Message):
    __slots__ = ("code", "stay", "price_policy", "total", "actor")
    CODE_FIELD_NUMBER: _ClassVar[int]
    STAY_FIELD_NUMBER: _ClassVar[int]
    PRICE_POLICY_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    code: str
    stay: _common_pb2.DateRange
    price_policy: PricePolicy
    total: _common_pb2.Money
    actor: str
    def __init__(self, code: _Optional[str] = ..., stay: _Optional[_Union[_common_pb2.DateRange, _Mapping]] = ..., price_policy: _Optional[_Union[PricePolicy, str]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., actor: _Optional[str] = ...) -> None: ...

class AddNoteRequest(_message.Message):
    __slots__ = ("code", "text", "actor")
    CODE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    code: str
    text: str
    actor: str
    def __init__(self, code: _Optional[str] = ..., text: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class CancellationRule(_message.Message):
    __slots__ = ("days_before", "percent")
    DAYS_BEFORE_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    days_before: int
    percent: int
    def __init__(self, days_before: _Optional[int] = ..., percent: _Optional[int] = ...) -> None: ...
