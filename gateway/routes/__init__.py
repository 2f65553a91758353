"""One router per resource. Each router carries the full prefix itself, so the
matched route template (used as the metrics label) is the whole path."""

API_PREFIX = "/api/v1"
