"""/calendario: a month per cabin with stays, holds and blocks; close or book a range of nights."""

from fastapi import APIRouter

router = APIRouter()
