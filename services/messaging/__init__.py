"""Messaging: the WhatsApp bot (inbox, Spanish NLU, dialog, sender)."""
