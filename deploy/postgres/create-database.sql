-- The stores_api database with two roles, so the running app cannot change the schema:
--   stores_api_owner  owns the database and every table; used only by `stores-api db upgrade`.
--   stores_api_app    what the app logs in as: rows only (SELECT/INSERT/UPDATE/DELETE), no DDL.
-- A bug or an injection in the app can then damage rows but never drop or alter a table, and
-- the owner's password is only on the server while migrations run (migrate.env, root only).
--
-- Run by create-database.sh as a superuser, which sets :owner_password and :app_password.
-- Idempotent: running it again keeps the data and resets both passwords.
\set ON_ERROR_STOP on

SELECT 'CREATE ROLE stores_api_owner'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stores_api_owner') \gexec
SELECT 'CREATE ROLE stores_api_app'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stores_api_app') \gexec

ALTER ROLE stores_api_owner WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
    NOBYPASSRLS PASSWORD :'owner_password';
ALTER ROLE stores_api_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
    NOBYPASSRLS NOINHERIT PASSWORD :'app_password';
-- Server-side limits for the app's sessions, whatever the client asks for.
ALTER ROLE stores_api_app SET statement_timeout = '10s';
ALTER ROLE stores_api_app SET idle_in_transaction_session_timeout = '60s';

SELECT 'CREATE DATABASE stores_api OWNER stores_api_owner ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'stores_api') \gexec

-- Nobody else may connect or create temporary tables.
REVOKE ALL ON DATABASE stores_api FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE stores_api TO stores_api_owner;
GRANT CONNECT ON DATABASE stores_api TO stores_api_app;

\connect stores_api

-- The public schema belongs to the owner; others may use its objects but never create any.
ALTER SCHEMA public OWNER TO stores_api_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO stores_api_app;

-- Rows in the tables that exist now, and in every table and sequence the owner's migrations
-- create later.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO stores_api_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO stores_api_app;
ALTER DEFAULT PRIVILEGES FOR ROLE stores_api_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO stores_api_app;
ALTER DEFAULT PRIVILEGES FOR ROLE stores_api_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO stores_api_app;
