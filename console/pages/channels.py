"""/canales: iCal feeds per cabin (add, sync now, errors, conflicts) and the export URLs."""

from fastapi import APIRouter

router = APIRouter()
