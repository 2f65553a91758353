"""Calendar: iCal import from channels and export per cabin (Postgres schema `calendar`)."""
