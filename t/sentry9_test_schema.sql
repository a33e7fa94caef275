--
-- A Sentry 9.0 schema for the test suite: the tables sentry_fixtures reads
-- and writes, and the ones a project's deletion reaches, with the column
-- names, types, NOT NULL constraints, unique constraints and foreign keys
-- of Sentry 9.0 (South migration 0423), and the rows of a fresh install:
-- organization "sentry", team "sentry", the internal project with its key,
-- default alert rule and saved searches.
--
-- As in Sentry, ids come from sequences, no other column has a default,
-- and the foreign keys are DEFERRABLE INITIALLY DEFERRED with no ON DELETE
-- action.  Foreign keys to tables left out here are left out too.  Names
-- are not schema-qualified: the tables go to the first schema of the
-- search path.  Loads with psql -f and with sentry_schema_bootstrap().
--

CREATE EXTENSION IF NOT EXISTS citext;

CREATE SEQUENCE south_migrationhistory_id_seq;
CREATE TABLE south_migrationhistory (
    id integer NOT NULL DEFAULT nextval('south_migrationhistory_id_seq'),
    app_name character varying(255) NOT NULL,
    migration character varying(255) NOT NULL,
    applied timestamp with time zone NOT NULL,
    PRIMARY KEY (id)
);
ALTER SEQUENCE south_migrationhistory_id_seq OWNED BY south_migrationhistory.id;

CREATE SEQUENCE auth_user_id_seq;
CREATE TABLE auth_user (
    password character varying(128) NOT NULL,
    last_login timestamp with time zone,
    id integer NOT NULL DEFAULT nextval('auth_user_id_seq'),
    username character varying(128) NOT NULL,
    first_name character varying(200) NOT NULL,
    email character varying(75) NOT NULL,
    is_staff boolean NOT NULL,
    is_active boolean NOT NULL,
    is_superuser boolean NOT NULL,
    date_joined timestamp with time zone NOT NULL,
    is_managed boolean NOT NULL,
    is_password_expired boolean NOT NULL,
    last_password_change timestamp with time zone,
    session_nonce character varying(12),
    last_active timestamp with time zone,
    flags bigint,
    PRIMARY KEY (id),
    UNIQUE (username)
);
ALTER SEQUENCE auth_user_id_seq OWNED BY auth_user.id;

CREATE SEQUENCE sentry_email_id_seq;
CREATE TABLE sentry_email (
    id bigint NOT NULL DEFAULT nextval('sentry_email_id_seq'),
    email citext NOT NULL,
    date_added timestamp with time zone NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (email)
);
ALTER SEQUENCE sentry_email_id_seq OWNED BY sentry_email.id;

CREATE SEQUENCE sentry_useremail_id_seq;
CREATE TABLE sentry_useremail (
    id bigint NOT NULL DEFAULT nextval('sentry_useremail_id_seq'),
    user_id integer NOT NULL,
    email character varying(75) NOT NULL,
    validation_hash character varying(32) NOT NULL,
    date_hash_added timestamp with time zone NOT NULL,
    is_verified boolean NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (user_id, email)
);
ALTER SEQUENCE sentry_useremail_id_seq OWNED BY sentry_useremail.id;

CREATE SEQUENCE sentry_option_id_seq;
CREATE TABLE sentry_option (
    id bigint NOT NULL DEFAULT nextval('sentry_option_id_seq'),
    key character varying(64) NOT NULL,
    value text NOT NULL,
    last_updated timestamp with time zone NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (key)
);
ALTER SEQUENCE sentry_option_id_seq OWNED BY sentry_option.id;

CREATE SEQUENCE sentry_organization_id_seq;
CREATE TABLE sentry_organization (
    id bigint NOT NULL DEFAULT nextval('sentry_organization_id_seq'),
    name character varying(64) NOT NULL,
    status integer NOT NULL CHECK (status >= 0),
    date_added timestamp with time zone NOT NULL,
    slug character varying(50) NOT NULL,
    flags bigint NOT NULL,
    default_role character varying(32) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (slug)
);
ALTER SEQUENCE sentry_organization_id_seq OWNED BY sentry_organization.id;

CREATE SEQUENCE sentry_organizationmember_id_seq;
CREATE TABLE sentry_organizationmember (
    id bigint NOT NULL DEFAULT nextval('sentry_organizationmember_id_seq'),
    organization_id bigint NOT NULL,
    user_id integer,
    type integer NOT NULL CHECK (type >= 0),
    date_added timestamp with time zone NOT NULL,
    email character varying(75),
    has_global_access boolean NOT NULL,
    flags bigint NOT NULL,
    role character varying(32) NOT NULL,
    token character varying(64),
    PRIMARY KEY (id),
    UNIQUE (organization_id, email),
    UNIQUE (organization_id, user_id),
    UNIQUE (token)
);
ALTER SEQUENCE sentry_organizationmember_id_seq OWNED BY sentry_organizationmember.id;

CREATE SEQUENCE sentry_team_id_seq;
CREATE TABLE sentry_team (
    id bigint NOT NULL DEFAULT nextval('sentry_team_id_seq'),
    slug character varying(50) NOT NULL,
    name character varying(64) NOT NULL,
    date_added timestamp with time zone,
    status integer NOT NULL CHECK (status >= 0),
    organization_id bigint NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (organization_id, slug)
);
ALTER SEQUENCE sentry_team_id_seq OWNED BY sentry_team.id;

CREATE SEQUENCE sentry_organizationmember_teams_id_seq;
CREATE TABLE sentry_organizationmember_teams (
    id integer NOT NULL DEFAULT nextval('sentry_organizationmember_teams_id_seq'),
    organizationmember_id bigint NOT NULL,
    team_id bigint NOT NULL,
    is_active boolean NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (organizationmember_id, team_id)
);
ALTER SEQUENCE sentry_organizationmember_teams_id_seq OWNED BY sentry_organizationmember_teams.id;

CREATE SEQUENCE sentry_project_id_seq;
CREATE TABLE sentry_project (
    id bigint NOT NULL DEFAULT nextval('sentry_project_id_seq'),
    name character varying(200) NOT NULL,
    public boolean NOT NULL,
    date_added timestamp with time zone NOT NULL,
    status integer NOT NULL CHECK (status >= 0),
    slug character varying(50),
    organization_id bigint NOT NULL,
    first_event timestamp with time zone,
    forced_color character varying(6),
    flags bigint,
    platform character varying(64),
    PRIMARY KEY (id),
    UNIQUE (organization_id, slug)
);
ALTER SEQUENCE sentry_project_id_seq OWNED BY sentry_project.id;

CREATE SEQUENCE sentry_projectteam_id_seq;
CREATE TABLE sentry_projectteam (
    id bigint NOT NULL DEFAULT nextval('sentry_projectteam_id_seq'),
    project_id bigint NOT NULL,
    team_id bigint NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (project_id, team_id)
);
ALTER SEQUENCE sentry_projectteam_id_seq OWNED BY sentry_projectteam.id;

CREATE SEQUENCE sentry_projectkey_id_seq;
CREATE TABLE sentry_projectkey (
    id bigint NOT NULL DEFAULT nextval('sentry_projectkey_id_seq'),
    project_id bigint NOT NULL,
    public_key character varying(32),
    secret_key character varying(32),
    date_added timestamp with time zone,
    roles bigint NOT NULL,
    label character varying(64),
    status integer NOT NULL CHECK (status >= 0),
    rate_limit_count integer CHECK (rate_limit_count >= 0),
    rate_limit_window integer CHECK (rate_limit_window >= 0),
    data text NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (public_key),
    UNIQUE (secret_key)
);
ALTER SEQUENCE sentry_projectkey_id_seq OWNED BY sentry_projectkey.id;

CREATE SEQUENCE sentry_projectoptions_id_seq;
CREATE TABLE sentry_projectoptions (
    id bigint NOT NULL DEFAULT nextval('sentry_projectoptions_id_seq'),
    project_id bigint NOT NULL,
    key character varying(64) NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (project_id, key)
);
ALTER SEQUENCE sentry_projectoptions_id_seq OWNED BY sentry_projectoptions.id;

CREATE SEQUENCE sentry_rule_id_seq;
CREATE TABLE sentry_rule (
    id bigint NOT NULL DEFAULT nextval('sentry_rule_id_seq'),
    project_id bigint NOT NULL,
    label character varying(64) NOT NULL,
    data text NOT NULL,
    date_added timestamp with time zone NOT NULL,
    status integer NOT NULL CHECK (status >= 0),
    environment_id integer CHECK (environment_id >= 0),
    PRIMARY KEY (id)
);
ALTER SEQUENCE sentry_rule_id_seq OWNED BY sentry_rule.id;

CREATE SEQUENCE sentry_savedsearch_id_seq;
CREATE TABLE sentry_savedsearch (
    id bigint NOT NULL DEFAULT nextval('sentry_savedsearch_id_seq'),
    project_id bigint NOT NULL,
    name character varying(128) NOT NULL,
    query text NOT NULL,
    date_added timestamp with time zone NOT NULL,
    is_default boolean NOT NULL,
    owner_id integer,
    PRIMARY KEY (id),
    UNIQUE (project_id, name)
);
ALTER SEQUENCE sentry_savedsearch_id_seq OWNED BY sentry_savedsearch.id;

CREATE SEQUENCE sentry_release_id_seq;
CREATE TABLE sentry_release (
    id bigint NOT NULL DEFAULT nextval('sentry_release_id_seq'),
    project_id bigint,
    version character varying(250) NOT NULL,
    date_added timestamp with time zone NOT NULL,
    date_released timestamp with time zone,
    ref character varying(250),
    url character varying(200),
    date_started timestamp with time zone,
    data text NOT NULL,
    new_groups integer NOT NULL CHECK (new_groups >= 0),
    owner_id integer,
    organization_id bigint NOT NULL,
    commit_count integer CHECK (commit_count >= 0),
    last_commit_id integer CHECK (last_commit_id >= 0),
    authors text[],
    total_deploys integer CHECK (total_deploys >= 0),
    last_deploy_id integer CHECK (last_deploy_id >= 0),
    PRIMARY KEY (id)
);
ALTER SEQUENCE sentry_release_id_seq OWNED BY sentry_release.id;

CREATE SEQUENCE sentry_release_project_id_seq;
CREATE TABLE sentry_release_project (
    id bigint NOT NULL DEFAULT nextval('sentry_release_project_id_seq'),
    project_id bigint NOT NULL,
    release_id bigint NOT NULL,
    new_groups integer CHECK (new_groups >= 0),
    PRIMARY KEY (id),
    UNIQUE (project_id, release_id)
);
ALTER SEQUENCE sentry_release_project_id_seq OWNED BY sentry_release_project.id;

CREATE SEQUENCE sentry_environment_id_seq;
CREATE TABLE sentry_environment (
    id bigint NOT NULL DEFAULT nextval('sentry_environment_id_seq'),
    project_id integer CHECK (project_id >= 0),
    name character varying(64) NOT NULL,
    date_added timestamp with time zone NOT NULL,
    organization_id integer NOT NULL CHECK (organization_id >= 0),
    PRIMARY KEY (id)
);
ALTER SEQUENCE sentry_environment_id_seq OWNED BY sentry_environment.id;

CREATE SEQUENCE sentry_environmentproject_id_seq;
CREATE TABLE sentry_environmentproject (
    id bigint NOT NULL DEFAULT nextval('sentry_environmentproject_id_seq'),
    project_id bigint NOT NULL,
    environment_id bigint NOT NULL,
    is_hidden boolean,
    PRIMARY KEY (id),
    UNIQUE (project_id, environment_id)
);
ALTER SEQUENCE sentry_environmentproject_id_seq OWNED BY sentry_environmentproject.id;

CREATE SEQUENCE sentry_groupedmessage_id_seq;
CREATE TABLE sentry_groupedmessage (
    id bigint NOT NULL DEFAULT nextval('sentry_groupedmessage_id_seq'),
    logger character varying(64) NOT NULL,
    level integer NOT NULL CHECK (level >= 0),
    message text NOT NULL,
    view character varying(200),
    status integer NOT NULL CHECK (status >= 0),
    times_seen integer NOT NULL CHECK (times_seen >= 0),
    last_seen timestamp with time zone NOT NULL,
    first_seen timestamp with time zone NOT NULL,
    data text,
    score integer NOT NULL,
    project_id bigint,
    time_spent_total integer NOT NULL,
    time_spent_count integer NOT NULL,
    resolved_at timestamp with time zone,
    active_at timestamp with time zone,
    is_public boolean,
    platform character varying(64),
    num_comments integer CHECK (num_comments >= 0),
    first_release_id bigint,
    short_id bigint,
    PRIMARY KEY (id),
    UNIQUE (project_id, short_id)
);
ALTER SEQUENCE sentry_groupedmessage_id_seq OWNED BY sentry_groupedmessage.id;

CREATE SEQUENCE sentry_message_id_seq;
CREATE TABLE sentry_message (
    id bigint NOT NULL DEFAULT nextval('sentry_message_id_seq'),
    message text NOT NULL,
    datetime timestamp with time zone NOT NULL,
    data text,
    group_id bigint,
    message_id character varying(32),
    project_id bigint,
    time_spent integer,
    platform character varying(64),
    PRIMARY KEY (id),
    UNIQUE (project_id, message_id)
);
ALTER SEQUENCE sentry_message_id_seq OWNED BY sentry_message.id;

CREATE SEQUENCE sentry_activity_id_seq;
CREATE TABLE sentry_activity (
    id bigint NOT NULL DEFAULT nextval('sentry_activity_id_seq'),
    project_id bigint NOT NULL,
    group_id bigint,
    type integer NOT NULL CHECK (type >= 0),
    ident character varying(64),
    user_id integer,
    datetime timestamp with time zone NOT NULL,
    data text,
    PRIMARY KEY (id)
);
ALTER SEQUENCE sentry_activity_id_seq OWNED BY sentry_activity.id;

CREATE SEQUENCE sentry_groupbookmark_id_seq;
CREATE TABLE sentry_groupbookmark (
    id bigint NOT NULL DEFAULT nextval('sentry_groupbookmark_id_seq'),
    project_id bigint NOT NULL,
    group_id bigint NOT NULL,
    user_id integer NOT NULL,
    date_added timestamp with time zone,
    PRIMARY KEY (id),
    UNIQUE (project_id, user_id, group_id)
);
ALTER SEQUENCE sentry_groupbookmark_id_seq OWNED BY sentry_groupbookmark.id;

CREATE SEQUENCE sentry_grouphash_id_seq;
CREATE TABLE sentry_grouphash (
    id bigint NOT NULL DEFAULT nextval('sentry_grouphash_id_seq'),
    project_id bigint,
    hash character varying(32) NOT NULL,
    group_id bigint,
    state integer CHECK (state >= 0),
    group_tombstone_id integer CHECK (group_tombstone_id >= 0),
    PRIMARY KEY (id),
    UNIQUE (project_id, hash)
);
ALTER SEQUENCE sentry_grouphash_id_seq OWNED BY sentry_grouphash.id;

CREATE SEQUENCE sentry_groupresolution_id_seq;
CREATE TABLE sentry_groupresolution (
    id bigint NOT NULL DEFAULT nextval('sentry_groupresolution_id_seq'),
    group_id bigint NOT NULL,
    release_id bigint NOT NULL,
    datetime timestamp with time zone NOT NULL,
    status integer NOT NULL CHECK (status >= 0),
    type integer CHECK (type >= 0),
    actor_id integer CHECK (actor_id >= 0),
    PRIMARY KEY (id),
    UNIQUE (group_id)
);
ALTER SEQUENCE sentry_groupresolution_id_seq OWNED BY sentry_groupresolution.id;

CREATE SEQUENCE sentry_useroption_id_seq;
CREATE TABLE sentry_useroption (
    id bigint NOT NULL DEFAULT nextval('sentry_useroption_id_seq'),
    user_id integer NOT NULL,
    project_id bigint,
    key character varying(64) NOT NULL,
    value text NOT NULL,
    organization_id bigint,
    PRIMARY KEY (id),
    UNIQUE (user_id, organization_id, key),
    UNIQUE (user_id, project_id, key)
);
ALTER SEQUENCE sentry_useroption_id_seq OWNED BY sentry_useroption.id;

CREATE SEQUENCE sentry_userreport_id_seq;
CREATE TABLE sentry_userreport (
    id bigint NOT NULL DEFAULT nextval('sentry_userreport_id_seq'),
    project_id bigint NOT NULL,
    group_id bigint,
    event_id character varying(32) NOT NULL,
    name character varying(128) NOT NULL,
    email character varying(75) NOT NULL,
    comments text NOT NULL,
    date_added timestamp with time zone NOT NULL,
    event_user_id bigint,
    environment_id bigint,
    PRIMARY KEY (id),
    UNIQUE (project_id, event_id)
);
ALTER SEQUENCE sentry_userreport_id_seq OWNED BY sentry_userreport.id;

-- Foreign keys, as Sentry declares them
ALTER TABLE sentry_activity ADD FOREIGN KEY (group_id) REFERENCES sentry_groupedmessage(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_activity ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_activity ADD FOREIGN KEY (user_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_environmentproject ADD FOREIGN KEY (environment_id) REFERENCES sentry_environment(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_environmentproject ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_groupbookmark ADD FOREIGN KEY (group_id) REFERENCES sentry_groupedmessage(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_groupbookmark ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_groupbookmark ADD FOREIGN KEY (user_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_groupedmessage ADD FOREIGN KEY (first_release_id) REFERENCES sentry_release(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_groupedmessage ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_grouphash ADD FOREIGN KEY (group_id) REFERENCES sentry_groupedmessage(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_grouphash ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_groupresolution ADD FOREIGN KEY (group_id) REFERENCES sentry_groupedmessage(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_groupresolution ADD FOREIGN KEY (release_id) REFERENCES sentry_release(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_organizationmember ADD FOREIGN KEY (organization_id) REFERENCES sentry_organization(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_organizationmember ADD FOREIGN KEY (user_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_organizationmember_teams ADD FOREIGN KEY (organizationmember_id) REFERENCES sentry_organizationmember(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_organizationmember_teams ADD FOREIGN KEY (team_id) REFERENCES sentry_team(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_project ADD FOREIGN KEY (organization_id) REFERENCES sentry_organization(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_projectkey ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_projectoptions ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_projectteam ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_projectteam ADD FOREIGN KEY (team_id) REFERENCES sentry_team(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_release ADD FOREIGN KEY (organization_id) REFERENCES sentry_organization(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_release ADD FOREIGN KEY (owner_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_release_project ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_release_project ADD FOREIGN KEY (release_id) REFERENCES sentry_release(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_rule ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_savedsearch ADD FOREIGN KEY (owner_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_savedsearch ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_team ADD FOREIGN KEY (organization_id) REFERENCES sentry_organization(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_useremail ADD FOREIGN KEY (user_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_useroption ADD FOREIGN KEY (organization_id) REFERENCES sentry_organization(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_useroption ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_useroption ADD FOREIGN KEY (user_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_userreport ADD FOREIGN KEY (environment_id) REFERENCES sentry_environment(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_userreport ADD FOREIGN KEY (group_id) REFERENCES sentry_groupedmessage(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sentry_userreport ADD FOREIGN KEY (project_id) REFERENCES sentry_project(id) DEFERRABLE INITIALLY DEFERRED;

-- A fresh install: Sentry's own rows after "sentry upgrade"
INSERT INTO south_migrationhistory (id, app_name, migration, applied) VALUES
    (1, 'sentry', '0001_initial', '2019-03-20 08:47:38+00'),
    (2, 'sentry', '0423_auto__add_index_grouphashtombstone_deleted_at', '2019-03-20 08:50:00+00');

INSERT INTO sentry_organization (id, name, status, date_added, slug, flags, default_role) VALUES
    (1, 'Sentry', 0, '2019-03-20 08:50:00+00', 'sentry', 1, 'member');

INSERT INTO sentry_team (id, slug, name, date_added, status, organization_id) VALUES
    (1, 'sentry', 'Sentry', '2019-03-20 08:50:00+00', 0, 1);

INSERT INTO sentry_project (id, name, public, date_added, status, slug, organization_id,
                            first_event, forced_color, flags, platform) VALUES
    (1, 'Internal', false, '2019-03-20 08:50:01+00', 0, 'internal', 1, NULL, NULL, 0, NULL);

INSERT INTO sentry_projectteam (id, project_id, team_id) VALUES (1, 1, 1);

INSERT INTO sentry_projectkey (id, project_id, public_key, secret_key, date_added, roles,
                               label, status, rate_limit_count, rate_limit_window, data) VALUES
    (1, 1, 'd2f1c0b9a8e7d6c5b4a3928170f6e5d4', '4d5e6f0718293a4b5c6d7e8f90a1b2c3',
     '2019-03-20 08:50:01+00', 1, 'Default', 0, NULL, NULL, '{}');

INSERT INTO sentry_projectoptions (id, project_id, key, value) VALUES
    (1, 1, 'sentry:origins', 'gAJdcQFVASphLg==');

-- data: base64 of a zlib-compressed protocol-2 pickle of the rule's dict
INSERT INTO sentry_rule (id, project_id, label, data, date_added, status, environment_id) VALUES
    (1, 1, 'Send a notification for new issues',
     'eJxlj80OAiEMhO99ETgRd/0/GqNHLzzAhgCrJAiEosm+vXRl48FbZzr9JuUmdSCZjsG44mJABqkH7tMauEmbunKmWts6oA0lTyK/vEXxOxCjy1gGtDYM9l0z4kqGrPpC8rwkK2YHqFAypZeqPVUdqOoI97+SlhMhFjdOjX6bxYw+6cbtVl/wUxX9IE0/Ke9p7AHFBx5HTWU=',
     '2019-03-20 08:50:01+00', 0, NULL);

INSERT INTO sentry_savedsearch (id, project_id, name, query, date_added, is_default, owner_id) VALUES
    (1, 1, 'Unresolved Issues', 'is:unresolved', '2019-03-20 08:50:01+00', true, NULL),
    (2, 1, 'Needs Triage', 'is:unresolved is:unassigned', '2019-03-20 08:50:01+00', false, NULL),
    (3, 1, 'Assigned To Me', 'is:unresolved assigned:me', '2019-03-20 08:50:01+00', false, NULL),
    (4, 1, 'My Bookmarks', 'is:unresolved bookmarks:me', '2019-03-20 08:50:01+00', false, NULL),
    (5, 1, 'New Today', 'is:unresolved age:-24h', '2019-03-20 08:50:01+00', false, NULL);

-- The sequences continue after the rows above, as after Sentry's inserts
SELECT setval('south_migrationhistory_id_seq', 2);
SELECT setval('sentry_organization_id_seq', 1);
SELECT setval('sentry_team_id_seq', 1);
SELECT setval('sentry_project_id_seq', 1);
SELECT setval('sentry_projectteam_id_seq', 1);
SELECT setval('sentry_projectkey_id_seq', 1);
SELECT setval('sentry_projectoptions_id_seq', 1);
SELECT setval('sentry_rule_id_seq', 1);
SELECT setval('sentry_savedsearch_id_seq', 5);
