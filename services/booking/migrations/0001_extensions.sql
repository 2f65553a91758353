-- The no-double-booking exclusion constraint compares accommodation ids with
-- `=` inside a GiST index, which needs btree_gist.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
