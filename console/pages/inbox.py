"""/mensajes: guests waiting for a person first, the conversation, replying and handing back to the bot.

A conversation's URL names it by an opaque id (console/inbox.py says why), never by the phone."""

import uuid
from datetime import UTC, datetime
from typing import Annotated

import grpc
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from google.protobuf.message import Message as ProtoMessage
from starlette.exceptions import HTTPException

from cabanas.v1 import common_pb2, messaging_pb2
from console.inbox import Chat, Message, bubbles, conversation_id, phone_of, user_ids, waiting_first
from console.lookups import user_names
from console.render import page
from console.security import Viewer, may, may_post
from services.common.roles import Action

router = APIRouter()
PAGE_SIZE = 20
HISTORY = 50  # the most recent messages a conversation page shows
MAX_REPLY = 4096  # WhatsApp's limit for a text body
REFUSED = (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION)
Reader = Annotated[Viewer, Depends(may(Action.SEE_PRIVATE))]
Replier = Annotated[Viewer, Depends(may_post(Action.INBOX))]
FLASHES = ("enviado", "plantilla", "bot")  # what ?listo= may say after a POST


def moment(message: ProtoMessage, name: str) -> datetime | None:
    """A Timestamp field as an aware datetime; None when unset."""
    if not message.HasField(name):
        return None
    value: datetime = getattr(message, name).ToDatetime(tzinfo=UTC)
    return value


def chat_of(key: bytes, conversation: messaging_pb2.Conversation) -> Chat:
    return Chat(
        id=conversation_id(key, conversation.phone),
        phone=conversation.phone,
        name=conversation.name,
        last_text=conversation.last_text,
        waiting_since=moment(conversation, "waiting_since"),
        handoff=conversation.handoff,
    )


def _phone(request: Request, cid: str) -> str:
    phone = phone_of(request.app.state.csrf_key, cid)
    if phone is None:
        raise HTTPException(404)
    return phone


@router.get("/mensajes")
async def mensajes(request: Request, viewer: Reader, desde: Annotated[str, Query(max_length=64)] = "") -> Response:
    query = messaging_pb2.ListConversationsRequest(page=common_pb2.PageRequest(page_size=PAGE_SIZE, page_token=desde))
    try:
        reply = await request.app.state.clients.messaging.ListConversations(query)
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.INVALID_ARGUMENT or not desde:
            raise
        return RedirectResponse("/mensajes", status_code=303)  # a page link edited by hand: start over
    key = request.app.state.csrf_key
    waiting, others = waiting_first(chat_of(key, conversation) for conversation in reply.conversations)
    return page(
        request,
        "mensajes.html",
        viewer=viewer,
        active="/mensajes",
        waiting=waiting,
        others=others,
        first=not desde,
        next_page=reply.page.next_page_token,
    )


async def _conversation(
    request: Request, viewer: Viewer, cid: str, status: int = 200, problem: str = "", text: str = "", flash: str = ""
) -> Response:
    phone = _phone(request, cid)
    conversation = await request.app.state.clients.messaging.GetConversation(
        messaging_pb2.GetConversationRequest(phone=phone, limit=HISTORY)
    )
    messages = [
        Message(
            inbound=message.direction == messaging_pb2.DIRECTION_INBOUND,
            text=message.text,
            at=moment(message, "at"),
            author=message.author,
            status=message.status,
        )
        for message in conversation.messages
    ]
    names = await user_names(request.app.state.clients.accounts, user_ids(messages))
    return page(
        request,
        "conversacion.html",
        status=status,
        viewer=viewer,
        active="/mensajes",
        chat=chat_of(request.app.state.csrf_key, conversation),
        window_open=conversation.window_open,
        bubbles=bubbles(messages, names),
        key=uuid.uuid4().hex,  # this form's idempotency key: a double tap sends one message
        problem=problem,
        text=text,
        flash=flash,
    )


@router.get("/mensajes/{cid}")
async def conversacion(
    request: Request, cid: str, viewer: Reader, listo: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    return await _conversation(request, viewer, cid, flash=listo if listo in FLASHES else "")


@router.post("/mensajes/{cid}/responder")
async def responder(
    request: Request,
    cid: str,
    viewer: Replier,
    texto: Annotated[str, Form()] = "",
    clave: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    phone, text = _phone(request, cid), texto.strip()
    if not text or len(text) > MAX_REPLY:
        return await _conversation(request, viewer, cid, 422, "long" if text else "empty", text)
    reply = messaging_pb2.SendReplyRequest(
        phone=phone, text=text, actor=viewer.actor, idempotency_key=clave or uuid.uuid4().hex
    )
    try:
        sent = await request.app.state.clients.messaging.SendReply(reply)
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in REFUSED:
            raise
        return await _conversation(request, viewer, cid, 422, "refused", text)
    done = "plantilla" if sent.template else "enviado"
    return RedirectResponse(f"/mensajes/{cid}?listo={done}#responder", status_code=303)


@router.post("/mensajes/{cid}/bot", dependencies=[Depends(may_post(Action.INBOX))])
async def al_bot(request: Request, cid: str) -> Response:
    await request.app.state.clients.messaging.SetHandoff(
        messaging_pb2.SetHandoffRequest(phone=_phone(request, cid), active=False)
    )
    return RedirectResponse(f"/mensajes/{cid}?listo=bot", status_code=303)
