"""/mensajes: guests waiting for a person first, the conversation, replying and handing back to the bot."""

from fastapi import APIRouter

router = APIRouter()
