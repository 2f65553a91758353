-- iCal feeds of the channels (one per cabin and channel) and the history of their syncs.

CREATE TABLE feeds (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    accommodation_id bigint NOT NULL,
    url              text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    source           text NOT NULL CHECK (source IN ('airbnb', 'booking', 'vrbo', 'other')),
    etag             text,
    last_modified    text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_sync_at     timestamptz,
    last_success_at  timestamptz,
    last_status      text,
    last_error       text,
    events_count     int NOT NULL DEFAULT 0,
    conflicts        jsonb NOT NULL DEFAULT '[]',
    -- booking replaces blocks per (cabin, source): two feeds of one channel would erase each other
    UNIQUE (accommodation_id, source)
);

CREATE TABLE sync_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed_id     bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    status      text NOT NULL CHECK (status IN ('ok', 'not_modified', 'failed', 'skipped')),
    created     int NOT NULL DEFAULT 0,
    updated     int NOT NULL DEFAULT 0,
    removed     int NOT NULL DEFAULT 0,
    unchanged   int NOT NULL DEFAULT 0,
    conflicts   int NOT NULL DEFAULT 0,
    error       text
);
CREATE INDEX sync_runs_feed ON sync_runs (feed_id, started_at DESC);
