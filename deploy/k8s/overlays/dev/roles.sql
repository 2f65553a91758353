-- Development only: the roles of production in the throwaway in-cluster Postgres, run once
-- by the image on a fresh volume. The statements are `python -m services.common.migrate
-- --print-roles` (tests/hardening/test_13_least_privilege.py checks), then dev-only passwords
-- matching dev-secrets.env.
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cabanas_migrate') THEN CREATE ROLE cabanas_migrate LOGIN; END IF; END $$;
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cabanas_accounts') THEN CREATE ROLE cabanas_accounts LOGIN; END IF; END $$;
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cabanas_booking') THEN CREATE ROLE cabanas_booking LOGIN; END IF; END $$;
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cabanas_calendar') THEN CREATE ROLE cabanas_calendar LOGIN; END IF; END $$;
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cabanas_messaging') THEN CREATE ROLE cabanas_messaging LOGIN; END IF; END $$;
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cabanas_payments') THEN CREATE ROLE cabanas_payments LOGIN; END IF; END $$;
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cabanas_gateway') THEN CREATE ROLE cabanas_gateway LOGIN; END IF; END $$;
REVOKE ALL ON DATABASE cabanas FROM PUBLIC;
GRANT CONNECT ON DATABASE cabanas TO cabanas_migrate, cabanas_accounts, cabanas_booking, cabanas_calendar, cabanas_messaging, cabanas_payments, cabanas_gateway;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
CREATE SCHEMA IF NOT EXISTS accounts AUTHORIZATION cabanas_accounts;
ALTER SCHEMA accounts OWNER TO cabanas_accounts;
DO $$ DECLARE o record; BEGIN FOR o IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'accounts' AND c.relkind IN ('r', 'p', 'v', 'S') AND pg_get_userbyid(c.relowner) <> 'cabanas_accounts' AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.classid = 'pg_class'::regclass AND c.relkind = 'S') LOOP EXECUTE format('ALTER TABLE %I.%I OWNER TO cabanas_accounts', 'accounts', o.relname); END LOOP; END $$;
GRANT cabanas_accounts TO cabanas_migrate;
CREATE SCHEMA IF NOT EXISTS booking AUTHORIZATION cabanas_booking;
ALTER SCHEMA booking OWNER TO cabanas_booking;
DO $$ DECLARE o record; BEGIN FOR o IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'booking' AND c.relkind IN ('r', 'p', 'v', 'S') AND pg_get_userbyid(c.relowner) <> 'cabanas_booking' AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.classid = 'pg_class'::regclass AND c.relkind = 'S') LOOP EXECUTE format('ALTER TABLE %I.%I OWNER TO cabanas_booking', 'booking', o.relname); END LOOP; END $$;
GRANT cabanas_booking TO cabanas_migrate;
CREATE SCHEMA IF NOT EXISTS calendar AUTHORIZATION cabanas_calendar;
ALTER SCHEMA calendar OWNER TO cabanas_calendar;
DO $$ DECLARE o record; BEGIN FOR o IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'calendar' AND c.relkind IN ('r', 'p', 'v', 'S') AND pg_get_userbyid(c.relowner) <> 'cabanas_calendar' AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.classid = 'pg_class'::regclass AND c.relkind = 'S') LOOP EXECUTE format('ALTER TABLE %I.%I OWNER TO cabanas_calendar', 'calendar', o.relname); END LOOP; END $$;
GRANT cabanas_calendar TO cabanas_migrate;
CREATE SCHEMA IF NOT EXISTS messaging AUTHORIZATION cabanas_messaging;
ALTER SCHEMA messaging OWNER TO cabanas_messaging;
DO $$ DECLARE o record; BEGIN FOR o IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'messaging' AND c.relkind IN ('r', 'p', 'v', 'S') AND pg_get_userbyid(c.relowner) <> 'cabanas_messaging' AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.classid = 'pg_class'::regclass AND c.relkind = 'S') LOOP EXECUTE format('ALTER TABLE %I.%I OWNER TO cabanas_messaging', 'messaging', o.relname); END LOOP; END $$;
GRANT cabanas_messaging TO cabanas_migrate;
CREATE SCHEMA IF NOT EXISTS payments AUTHORIZATION cabanas_payments;
ALTER SCHEMA payments OWNER TO cabanas_payments;
DO $$ DECLARE o record; BEGIN FOR o IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'payments' AND c.relkind IN ('r', 'p', 'v', 'S') AND pg_get_userbyid(c.relowner) <> 'cabanas_payments' AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.classid = 'pg_class'::regclass AND c.relkind = 'S') LOOP EXECUTE format('ALTER TABLE %I.%I OWNER TO cabanas_payments', 'payments', o.relname); END LOOP; END $$;
GRANT cabanas_payments TO cabanas_migrate;
ALTER ROLE cabanas_migrate PASSWORD 'dev-only-cabanas-migrate-password';
ALTER ROLE cabanas_accounts PASSWORD 'dev-only-cabanas-accounts-password';
ALTER ROLE cabanas_booking PASSWORD 'dev-only-cabanas-booking-password';
ALTER ROLE cabanas_calendar PASSWORD 'dev-only-cabanas-calendar-password';
ALTER ROLE cabanas_messaging PASSWORD 'dev-only-cabanas-messaging-password';
ALTER ROLE cabanas_payments PASSWORD 'dev-only-cabanas-payments-password';
ALTER ROLE cabanas_gateway PASSWORD 'dev-only-cabanas-gateway-password';
