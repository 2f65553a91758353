"""Offset paging behind opaque page tokens, shared by the List RPCs."""

from cabanas.v1 import common_pb2
from services.common.errors import DomainError, Kind

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class BadPageToken(DomainError):
    """The page token was not one this service handed out."""

    def __init__(self, message: str) -> None:
        super().__init__(Kind.INVALID, "INVALID_PAGE", message)


def bounds(page: common_pb2.PageRequest) -> tuple[int, int]:
    """(limit, offset) for a page request."""
    size = min(page.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    if size < 0:
        raise BadPageToken("page_size must be positive")
    if not page.page_token:
        return size, 0
    if not page.page_token.isdigit() or len(page.page_token) > 9:
        raise BadPageToken("invalid page_token")
    return size, int(page.page_token)


def response(limit: int, offset: int, returned: int, total: int) -> common_pb2.PageResponse:
    more = offset + returned < total and returned == limit
    return common_pb2.PageResponse(next_page_token=str(offset + returned) if more else "", total_size=total)
