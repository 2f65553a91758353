"""/reservas and /reservas/{code}: find a reservation, see everything about it, act on it; new phone bookings."""

from fastapi import APIRouter

router = APIRouter()
