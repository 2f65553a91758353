"""/correos: the e-mail outbox, newest first — what went to whom and how it went (sent, kept here
without SMTP, or refused with the server's reply). Owners and staff (SEE_PRIVATE)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import grpc
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from cabanas.v1 import common_pb2, messaging_pb2
from console.pages.inbox import moment
from console.render import page
from console.security import Viewer, may
from services.common import pb
from services.common.roles import Action

router = APIRouter()
PAGE_SIZE = 20
Reader = Annotated[Viewer, Depends(may(Action.SEE_PRIVATE))]
STATUS_NAMES = pb.enum_names(messaging_pb2.EmailStatus, "EMAIL_STATUS_")  # the template words each


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    at: datetime | None
    status: str  # queued, sent, failed, sandbox
    error: str  # the SMTP server's last reply
    attempts: int
    attachments: tuple[str, ...]


def mail_of(e: messaging_pb2.Email) -> Mail:
    status = STATUS_NAMES.get(e.status, "queued")
    return Mail(e.to, e.subject, moment(e, "created_at"), status, e.error, e.attempts, tuple(e.attachments))


@router.get("/correos")
async def correos(request: Request, viewer: Reader, desde: Annotated[str, Query(max_length=64)] = "") -> Response:
    query = messaging_pb2.ListEmailsRequest(page=common_pb2.PageRequest(page_size=PAGE_SIZE, page_token=desde))
    try:
        reply = await request.app.state.clients.messaging.ListEmails(query)
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.INVALID_ARGUMENT or not desde:
            raise
        return RedirectResponse("/correos", status_code=303)  # a page link edited by hand: start over
    return page(
        request,
        "correos.html",
        viewer=viewer,
        active="/ajustes",
        emails=[mail_of(e) for e in reply.emails],
        first=not desde,
        next_page=reply.next_page_token,
    )
