"""Booking: the only writer of reservations (Postgres schema `booking`, Redis locks)."""
