"""The JSON error envelope `{"error": {"code", "message"}}` and the mapping of
gRPC statuses to HTTP. Never a stack trace; never a 500 for bad input."""

import logging

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from services.common.grpc_clients import error_info

log = logging.getLogger(__name__)

GRPC_TO_HTTP = {
    grpc.StatusCode.INVALID_ARGUMENT: 422,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 422,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.CANCELLED: 503,
}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


def error_response(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def http_error_response(exc: HTTPException) -> JSONResponse:
    """The envelope of an HTTPException, its headers (WWW-Authenticate, Retry-After) kept."""
    response = error_response(exc.status_code, HTTP_CODES.get(exc.status_code, "error"), str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def grpc_error_response(exc: grpc.aio.AioRpcError) -> JSONResponse:
    code = exc.code()
    status = GRPC_TO_HTTP.get(code)
    if status is None:
        log.error("service error %s: %s", code.name, exc.details())
        return error_response(502, "upstream_error", "A service failed to answer; try again later.")
    if status in (503, 504):
        return error_response(status, code.name.lower(), "A service is not available right now; try again later.")
    info = error_info(exc)
    extra = {"details": dict(info.metadata)} if info and info.metadata else {}
    return error_response(status, (info.reason if info else code.name).lower(), exc.details() or code.name, **extra)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return http_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return error_response(422, "validation_error", "The request is not valid.", fields=fields)

    @app.exception_handler(grpc.aio.AioRpcError)
    async def rpc_error(_: Request, exc: grpc.aio.AioRpcError) -> JSONResponse:
        return grpc_error_response(exc)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, _exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, "internal", "Internal server error.")
