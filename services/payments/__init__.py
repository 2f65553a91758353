"""Payments: Mercado Pago links and notifications (Postgres schema `payments`)."""
