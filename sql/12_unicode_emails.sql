--
-- Emails are compared in validation as the apply compares them in the
-- database, with upper() in the database's collation: beyond ASCII case
-- too, where the collation has Unicode case ("Ädmin" and "ädmin").  In a
-- database whose LC_CTYPE is C, upper() changes ASCII letters only, and
-- so does validation.
--
CREATE DATABASE sf_unicode_emails TEMPLATE template0 ENCODING 'UTF8'
  LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';
CREATE DATABASE sf_c_emails TEMPLATE template0 ENCODING 'UTF8'
  LC_COLLATE 'C' LC_CTYPE 'C';

\c sf_unicode_emails
SET client_min_messages = warning;
CREATE EXTENSION sentry_fixtures;
SET sentry_fixtures.url_prefix = 'https://sentry.example.com';
-- the database finds one user for both
SELECT upper('Ädmin@example.com') = upper('ädmin@example.com') AS same_user;
SELECT * FROM sentry_fixtures_validate($$
admin:
  email: Ädmin@example.com
  password: correct horse battery staple
users:
  - email: ädmin@example.com
  - email: ÉMILE@example.com
  - email: émile@example.com
  - email: ΣΙΣΥΦΟΣ@example.com
  - email: σισυφος@example.com
$$);

\c sf_c_emails
SET client_min_messages = warning;
CREATE EXTENSION sentry_fixtures;
SET sentry_fixtures.url_prefix = 'https://sentry.example.com';
SELECT upper('Ädmin@example.com') = upper('ädmin@example.com') AS same_user;
SELECT * FROM sentry_fixtures_validate($$
admin:
  email: Ädmin@example.com
  password: correct horse battery staple
users:
  - email: ädmin@example.com
  - email: ADMIN@example.com
  - email: ÉMILE@example.com
  - email: émile@example.com
  - email: Émile@EXAMPLE.com
$$);

\c contrib_regression
DROP DATABASE sf_unicode_emails;
DROP DATABASE sf_c_emails;
