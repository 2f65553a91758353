"""/cabanas: create and edit cabins in pesos, with the answers the bot gives."""

from fastapi import APIRouter

router = APIRouter()
