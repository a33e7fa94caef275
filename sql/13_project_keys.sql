--
-- A project's keys list: the shapes it takes, and the rules on it, each
-- problem with its line and column.
--
SET sentry_fixtures.url_prefix = 'https://sentry.example.com';

-- the issue's example is valid: keys instead of dsn, and besides it
SELECT * FROM sentry_fixtures_validate($$
teams:
  - name: Web
    projects:
      - name: storefront
        platform: javascript
        keys:
          - label: Default
            dsn: https://89abcdef0123456789abcdef01234567:0123456789abcdef0123456789abcdef@sentry.example.com/35
          - label: Browser
            dsn: https://fedcba9876543210fedcba9876543210@sentry.example.com/35
            active: false
            rate_limit: {count: 100, window: 60}
      - name: api
        dsn: https://0123456789abcdef0123456789abcd01@sentry.example.com/36
        keys:
          - dsn: https://0123456789abcdef0123456789abcd02@sentry.example.com/36
$$);

-- duplicate labels, public keys used twice (in a project and across
-- projects), a DSN of another project id, bad rate limits and statuses
SELECT * FROM sentry_fixtures_validate($$
teams:
  - name: Web
    projects:
      - name: storefront
        keys:
          - label: Default
            dsn: https://0123456789abcdef0123456789abcd01@sentry.example.com/35
          - label: Default
            dsn: https://0123456789abcdef0123456789abcd01@sentry.example.com/35
          - label: Other
            dsn: https://0123456789abcdef0123456789abcd02@sentry.example.com/36
          - label: No window
            dsn: https://0123456789abcdef0123456789abcd03@sentry.example.com/35
            rate_limit: {count: 10, window: 0}
          - label: Long window
            dsn: https://0123456789abcdef0123456789abcd04@sentry.example.com/35
            rate_limit: {count: 10, window: 86401}
          - label: Words
            dsn: https://0123456789abcdef0123456789abcd05@sentry.example.com/35
            rate_limit: {count: many, window: "60"}
          - label: Half
            dsn: https://0123456789abcdef0123456789abcd06@sentry.example.com/35
            rate_limit: {count: -1}
            active: maybe
      - name: api
        dsn: https://0123456789abcdef0123456789abcd07@sentry.example.com/37
        keys:
          - label: Shared
            dsn: https://0123456789abcdef0123456789abcd02@sentry.example.com/37
$$);

-- shapes: no dsn and no keys, an empty list, an entry that is no map, an
-- unknown key, a missing dsn, an empty label
SELECT * FROM sentry_fixtures_validate($$
teams:
  - name: Web
    projects:
      - name: none
      - name: empty
        keys: []
      - name: scalar
        keys: [https://0123456789abcdef0123456789abcd01@sentry.example.com/35]
      - name: unknown
        keys:
          - dsn: https://0123456789abcdef0123456789abcd02@sentry.example.com/36
            roles: 1
      - name: nodsn
        keys:
          - label: Lonely
      - name: blank
        keys:
          - label: ""
            dsn: https://0123456789abcdef0123456789abcd03@sentry.example.com/38
$$);
