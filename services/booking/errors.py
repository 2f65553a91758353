"""Domain errors of booking, each with a machine-readable reason.

The servicer maps the kind to a gRPC status and attaches the reason (and any
details) as a google.rpc.ErrorInfo, so the gateway can answer precisely.
"""

from enum import Enum


class Kind(Enum):
    INVALID = "invalid"  # the request itself is wrong: 422
    CONFLICT = "conflict"  # the state of the world forbids it now: 409
    NOT_FOUND = "not_found"  # 404


class BookingError(Exception):
    def __init__(self, kind: Kind, reason: str, message: str, **details: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.reason = reason
        self.message = message
        self.details = details


def invalid(reason: str, message: str, **details: str) -> BookingError:
    return BookingError(Kind.INVALID, reason, message, **details)


def conflict(reason: str, message: str, **details: str) -> BookingError:
    return BookingError(Kind.CONFLICT, reason, message, **details)


def not_found(message: str) -> BookingError:
    return BookingError(Kind.NOT_FOUND, "NOT_FOUND", message)
