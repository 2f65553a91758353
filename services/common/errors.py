"""The one error every service's domain code raises.

A `DomainError` says what kind of failure it is (the gRPC status follows from
the kind), a machine-readable `reason` a client can branch on (sent as a
google.rpc.ErrorInfo), a message for people and string details. It knows
nothing of gRPC: the server's error interceptor maps it, in one place
(`services/common/grpc_server.py`), so domain modules stay transport-free.
"""

from enum import Enum


class Kind(Enum):
    INVALID = "invalid"  # the request itself is wrong (the gateway answers 422)
    CONFLICT = "conflict"  # the state of the world forbids it now (409)
    NOT_FOUND = "not_found"  # 404
    ALREADY_EXISTS = "already_exists"  # 409
    FORBIDDEN = "forbidden"  # a credential that does not allow it (403)
    UNAUTHENTICATED = "unauthenticated"  # no valid credential: a wrong password, an ended session (401)
    UNAVAILABLE = "unavailable"  # something it needs did not answer; nothing took effect (503)
    EXHAUSTED = "exhausted"  # too much at once; retry later (429)


class DomainError(Exception):
    def __init__(self, kind: Kind, reason: str, message: str, **details: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.reason = reason
        self.message = message
        self.details = details


def invalid(reason: str, message: str, **details: str) -> DomainError:
    return DomainError(Kind.INVALID, reason, message, **details)


def conflict(reason: str, message: str, **details: str) -> DomainError:
    return DomainError(Kind.CONFLICT, reason, message, **details)


def not_found(message: str, **details: str) -> DomainError:
    return DomainError(Kind.NOT_FOUND, "NOT_FOUND", message, **details)


def unavailable(reason: str, message: str, **details: str) -> DomainError:
    return DomainError(Kind.UNAVAILABLE, reason, message, **details)
