--
-- Declared API tokens: the rules on them, each problem with its line and
-- column, and no token ever quoted in a message.
--
SET sentry_fixtures.url_prefix = 'https://sentry.example.com';

-- valid: the admin's token (email in any case) and a user's
SELECT * FROM sentry_fixtures_validate($$
admin:
  email: admin@example.com
users:
  - email: ci@example.com
tokens:
  - name: terraform
    user: Admin@Example.com
    scopes: [org:read, project:write, team:write]
    token: sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  - name: terraform
    user: ci@example.com
    scopes: [project:releases]
    token: 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
$$);

-- an unknown user, unknown scopes, tokens not in Sentry's form (never
-- quoted), a name used twice for one user, a token used twice, missing keys
SELECT * FROM sentry_fixtures_validate($$
admin:
  email: admin@example.com
tokens:
  - name: a
    user: nobody@example.com
    scopes: [org:read, org:sudo, project:delete]
    token: sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  - name: b
    user: admin@example.com
    scopes: [org:read]
    token: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  - name: b
    user: ADMIN@example.com
    scopes: [org:read]
    token: sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  - name: c
    user: admin@example.com
    scopes: [org:read]
    token: sntryu_0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef
  - name: d
    user: admin@example.com
    scopes: org:read
    token: sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0
  - name: e
$$);
