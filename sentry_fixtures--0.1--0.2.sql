/* sentry_fixtures--0.1--0.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION sentry_fixtures UPDATE TO '0.2'" to load this file. \quit

-- From 0.1 to 0.2.  The library of 0.2 keeps every C symbol that 0.1's
-- functions name, so a 0.1 database works with it until it is updated.
-- Any function added to or changed in sentry_fixtures--0.2.sql goes here
-- too, with the same definition (CREATE for a new one, CREATE OR REPLACE
-- or DROP and CREATE for a changed one, and the same REVOKE):
-- t/016_upgrade.pl compares a database updated from 0.1 with one made at
-- 0.2 and fails when they differ.
--
-- The SQL interface of 0.2 is so far that of 0.1: nothing to change yet.
