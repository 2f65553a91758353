"""/ajustes: one's own profile and password, notification preferences and API tokens."""

from fastapi import APIRouter

router = APIRouter()
