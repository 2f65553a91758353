"""/equipo (owner only): invite users, set roles, deactivate."""

from fastapi import APIRouter

router = APIRouter()
