-- Cabins, reservations (holds, bookings, external blocks) and the outbox of domain events.

CREATE TABLE accommodations (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name                       text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    type                       text NOT NULL DEFAULT 'cabana',
    description                text NOT NULL DEFAULT '',
    capacity                   int NOT NULL CHECK (capacity BETWEEN 1 AND 50),
    base_price_minor           bigint NOT NULL CHECK (base_price_minor >= 0),
    currency                   char(3) NOT NULL DEFAULT 'ARS',
    weekend_multiplier_percent int NOT NULL DEFAULT 100 CHECK (weekend_multiplier_percent > 0),
    weekend_nights             int[] NOT NULL DEFAULT '{5,6}',  -- ISO weekday the night starts on
    seasons                    jsonb NOT NULL DEFAULT '[]',
    min_nights                 int NOT NULL DEFAULT 1 CHECK (min_nights >= 1),
    max_nights                 int NOT NULL DEFAULT 30 CHECK (max_nights >= min_nights),
    deposit_percent            int NOT NULL DEFAULT 30 CHECK (deposit_percent BETWEEN 0 AND 100),
    time_zone                  text NOT NULL DEFAULT 'America/Argentina/Buenos_Aires',
    check_in_time              text NOT NULL DEFAULT '14:00',
    check_out_time             text NOT NULL DEFAULT '10:00',
    amenities                  text[] NOT NULL DEFAULT '{}',
    photos                     text[] NOT NULL DEFAULT '{}',
    location                   jsonb NOT NULL DEFAULT '{}',
    active                     boolean NOT NULL DEFAULT true,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reservations (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                 text NOT NULL UNIQUE,
    accommodation_id     bigint NOT NULL REFERENCES accommodations (id),
    check_in             date NOT NULL,
    check_out            date NOT NULL,
    period               daterange GENERATED ALWAYS AS (daterange(check_in, check_out, '[)')) STORED,
    nights               int GENERATED ALWAYS AS (check_out - check_in) STORED,
    guests               int NOT NULL,
    guest_name           text NOT NULL DEFAULT '',
    guest_phone          text NOT NULL DEFAULT '',
    guest_email          text NOT NULL DEFAULT '',
    status               text NOT NULL CHECK (status IN ('pre_reserved', 'confirmed', 'cancelled', 'expired', 'blocked')),
    channel              text NOT NULL CHECK (channel IN ('whatsapp', 'web', 'admin', 'ical')),
    total_minor          bigint NOT NULL DEFAULT 0,
    deposit_minor        bigint NOT NULL DEFAULT 0,
    currency             char(3) NOT NULL DEFAULT 'ARS',
    breakdown            jsonb NOT NULL DEFAULT '[]',
    expires_at           timestamptz,
    confirmed_at         timestamptz,
    cancelled_at         timestamptz,
    payment_reference    text,
    paid_but_unavailable boolean NOT NULL DEFAULT false,
    external_source      text,
    external_uid         text,
    external_summary     text,
    idempotency_key      text,
    manage_token_hash    bytea,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reservations_dates CHECK (check_in < check_out),
    CONSTRAINT reservations_guests CHECK (guests > 0 OR external_uid IS NOT NULL),
    CONSTRAINT reservations_amounts CHECK (total_minor >= 0 AND deposit_minor >= 0 AND deposit_minor <= total_minor),
    CONSTRAINT reservations_block_has_uid CHECK (status <> 'blocked' OR external_uid IS NOT NULL),
    -- The guarantee: no two holding reservations of one cabin share a night.
    CONSTRAINT reservations_no_overlap EXCLUDE USING gist (accommodation_id WITH =, period WITH &&)
        WHERE (status IN ('pre_reserved', 'confirmed', 'blocked'))
);

CREATE UNIQUE INDEX reservations_idempotency_key ON reservations (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX reservations_block_uid ON reservations (accommodation_id, external_source, external_uid)
    WHERE status = 'blocked';
CREATE INDEX reservations_due ON reservations (expires_at) WHERE status = 'pre_reserved';
CREATE INDEX reservations_phone ON reservations (guest_phone);
CREATE INDEX reservations_check_in ON reservations (check_in DESC);

-- Domain events, written in the same transaction as the change. Writers take
-- an advisory lock just before inserting here, so ids are handed out in commit
-- order: a reader that has seen id N can never later see a smaller id commit.
CREATE TABLE outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type        text NOT NULL,
    payload     jsonb NOT NULL,
    traceparent text NOT NULL DEFAULT '',
    occurred_at timestamptz NOT NULL DEFAULT now()
);
