#!/usr/bin/python3
#
# bench/bench.py: sentry_fixtures_apply() at 100, 1,000 and 10,000 projects,
# measured against the raw floor (README, "Performance").
#
# Runs against a server that has the extension (bench/run.sh starts one
# with default durability; the smoke test uses its own).  Every case gets a
# fresh database cloned from a template bootstrapped once from the Sentry
# dump given with --schema.  For each size P (T = P / 10 teams) and each
# repetition it times, client start to commit:
#   fresh     the fixture applied to a new organization;
#   noop      the same fixture again, checking that it writes no row;
#   change10  10% renamed, 10% new keys, 5% moved team, 1% rule 1;
#   floor     the rows fresh writes, one INSERT ... SELECT per table, in a
#             fresh database and one transaction.
# Then once: the per-object approach (one round trip per lookup and write,
# autocommit, as Django did) at --per-object-size projects, the backend's
# peak memory during fresh at the largest size, and one PBKDF2 hash of
# 1,000,000 iterations by the extension and by Python's hashlib (CPU time).
# It prints the medians, the ratios and whether each target holds.  With
# --deletes N it measures only the backend's peak memory and the time of
# deleting N projects with what depends on them, by rule 1 and by prune.
import argparse
import hashlib
import os
import statistics
import sys
import threading
import time

import psycopg2

ORGANIZATION = "Bench"
ADMIN_EMAIL = "admin@bench.test"
# A Django hash of "bench" (1000 iterations): the admin's password_hash, so
# that no PBKDF2 runs inside the timed applies
ADMIN_PASSWORD_HASH = ("pbkdf2_sha256$1000$benchsalt$"
                       "bEdt7lqjd95iFcne9WVWLOazMiznFd3HtZwgkOSF5kY=")
FIRST_PROJECT_ID = 100000
RULE1_ID_OFFSET = 1000000

DEFAULT_RULE_LABEL = "Send a notification for new issues"
DEFAULT_RULE_DATA = (
    "eJxlj80OAiEMhO99ETgRd/0/GqNHLzzAhgCrJAiEosm+vXRl48FbZzr9JuUmdSCZjsG44mJABqkH"
    "7tMauEmbunKmWts6oA0lTyK/vEXxOxCjy1gGtDYM9l0z4kqGrPpC8rwkK2YHqFAypZeqPVUdqOoI"
    "97+SlhMhFjdOjX6bxYw+6cbtVl/wUxX9IE0/Ke9p7AHFBx5HTWU=")
SAVED_SEARCHES = [
    ("Unresolved Issues", "is:unresolved", True),
    ("Needs Triage", "is:unresolved is:unassigned", False),
    ("Assigned To Me", "is:unresolved assigned:me", False),
    ("My Bookmarks", "is:unresolved bookmarks:me", False),
    ("New Today", "is:unresolved age:-24h", False),
]


def hexkey(kind, n):
    """A 32 hex character key, the same for the same kind and number."""
    return hashlib.md5(("%s-%d" % (kind, n)).encode()).hexdigest()


class Project:
    def __init__(self, i, teams):
        self.id = FIRST_PROJECT_ID + i
        self.name = "project-%05d" % i
        self.team = i // 10 % teams
        self.public_key = hexkey("public", i)
        self.secret_key = hexkey("secret", i)


def make_projects(nprojects):
    teams = max(nprojects // 10, 1)
    return teams, [Project(i, teams) for i in range(nprojects)]


def change10(teams, projects):
    """10% renamed, 10% new keys, 5% moved team, 1% rule 1 (same name, new id)."""
    changed = []
    for i, p in enumerate(projects):
        q = Project(i, teams)
        if i % 10 == 0:
            q.name = p.name + "-renamed"
        if i % 10 == 1:
            q.public_key = hexkey("public2", i)
            q.secret_key = hexkey("secret2", i)
        if i % 20 == 2:
            q.team = (p.team + 1) % teams
        if i % 100 == 3:
            q.id = p.id + RULE1_ID_OFFSET
        changed.append(q)
    return changed


def team_name(t):
    return "team-%04d" % t


def fixture_yaml(teams, projects):
    lines = ["organization: %s" % ORGANIZATION,
             "url_prefix: https://sentry.bench.test",
             "admin:",
             "  username: admin",
             "  email: %s" % ADMIN_EMAIL,
             "  password_hash: %s" % ADMIN_PASSWORD_HASH,
             "teams:"]
    by_team = [[] for _ in range(teams)]
    for p in projects:
        by_team[p.team].append(p)
    for t in range(teams):
        lines.append("  - name: %s" % team_name(t))
        lines.append("    projects:")
        for p in by_team[t]:
            lines.append("      %s: https://%s:%s@sentry.bench.test/%d"
                         % (p.name, p.public_key, p.secret_key, p.id))
        if not by_team[t]:
            lines[-1] = "    projects: {}"
    return "\n".join(lines) + "\n"


class Server:
    """Connections to the benchmark's server, and its throwaway databases."""

    def __init__(self, host, port, schema):
        self.host = host
        self.port = port
        self.admin = self.connect("postgres")
        self.admin.autocommit = True
        self.execute("DROP DATABASE IF EXISTS bench_template")
        self.execute("CREATE DATABASE bench_template")
        conn = self.connect("bench_template")
        with conn.cursor() as cur:
            cur.execute("CREATE EXTENSION sentry_fixtures")
            self.load_schema(cur, schema)
        conn.commit()
        conn.close()
        self.execute("ALTER DATABASE bench_template WITH ALLOW_CONNECTIONS false")

    def load_schema(self, cur, schema):
        """Load the Sentry dump into the template (cur is connected to it)."""
        cur.execute("SELECT loaded FROM sentry_schema_bootstrap(pg_read_file(%s),"
                    " no_owner => true)", (schema,))

    def connect(self, dbname):
        return psycopg2.connect(host=self.host, port=self.port, dbname=dbname)

    def execute(self, sql):
        with self.admin.cursor() as cur:
            cur.execute(sql)

    def fresh_database(self, name):
        """A new database cloned from the bootstrapped template; a connection to it."""
        self.execute("DROP DATABASE IF EXISTS %s" % name)
        self.execute("CREATE DATABASE %s TEMPLATE bench_template" % name)
        return self.connect(name)

    def drop(self, conn):
        name = conn.info.dbname
        conn.close()
        self.execute("DROP DATABASE %s" % name)

    def close(self):
        self.admin.close()
        conn = self.connect("postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS bench_template")
        conn.close()


def rows_written(cur):
    cur.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
                " FROM pg_stat_xact_user_tables")
    return cur.fetchone()[0]


def timed_apply(conn, fixture):
    """Seconds for one apply and its commit; the rows it wrote (counters
    not yet flushed from earlier transactions show too, hence the difference)."""
    with conn.cursor() as cur:
        before = rows_written(cur)
        start = time.perf_counter()
        cur.execute("SELECT count(*) FROM sentry_fixtures_apply(%s)", (fixture,))
        cur.fetchone()
        elapsed = time.perf_counter() - start
        written = rows_written(cur) - before
        start = time.perf_counter()
        conn.commit()
        return elapsed + time.perf_counter() - start, written


FLOOR_STATEMENTS = [
    """INSERT INTO sentry_organization (name, slug, status, date_added, flags, default_role)
       SELECT %(org)s, lower(%(org)s), 0, now(), 1, 'member'""",
    """INSERT INTO sentry_team (slug, name, date_added, status, organization_id)
       SELECT u.name, u.name, now(), 0, o.id
       FROM unnest(%(team_names)s::text[]) AS u(name),
            sentry_organization o WHERE o.slug = lower(%(org)s)""",
    """INSERT INTO sentry_project (id, name, public, date_added, status, slug,
                                   organization_id, flags)
       SELECT u.id, u.name, false, now(), 0, u.name, o.id, 0
       FROM unnest(%(ids)s::bigint[], %(names)s::text[]) AS u(id, name),
            sentry_organization o WHERE o.slug = lower(%(org)s)""",
    """INSERT INTO sentry_projectteam (project_id, team_id)
       SELECT u.id, t.id
       FROM unnest(%(ids)s::bigint[], %(project_teams)s::text[]) AS u(id, team)
       JOIN sentry_team t ON t.name = u.team
       JOIN sentry_organization o ON o.id = t.organization_id AND o.slug = lower(%(org)s)""",
    """INSERT INTO sentry_projectkey (project_id, public_key, secret_key, date_added, roles,
                                      label, status, data)
       SELECT u.id, u.public_key, u.secret_key, now(), 1, 'Default', 0, '{}'
       FROM unnest(%(ids)s::bigint[], %(public_keys)s::text[], %(secret_keys)s::text[])
            AS u(id, public_key, secret_key)""",
    """INSERT INTO sentry_rule (project_id, label, data, date_added, status)
       SELECT u.id, %(rule_label)s, %(rule_data)s, now(), 0
       FROM unnest(%(ids)s::bigint[]) AS u(id)""",
    """INSERT INTO sentry_savedsearch (project_id, name, query, date_added, is_default)
       SELECT u.id, s.name, s.query, now(), s.is_default
       FROM unnest(%(ids)s::bigint[]) AS u(id),
            unnest(%(search_names)s::text[], %(search_queries)s::text[],
                   %(search_defaults)s::boolean[]) AS s(name, query, is_default)""",
    """INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active,
                              is_superuser, date_joined, is_managed, is_password_expired,
                              last_password_change, flags)
       SELECT %(password)s, 'admin', '', %(email)s, true, true, true, now(), false, false,
              now(), 0""",
    """INSERT INTO sentry_useremail (user_id, email, validation_hash, date_hash_added,
                                     is_verified)
       SELECT u.id, u.email, md5(gen_random_uuid()::text), now(), true
       FROM auth_user u WHERE u.email = %(email)s""",
    """INSERT INTO sentry_email (email, date_added) SELECT %(email)s, now()""",
    """INSERT INTO sentry_organizationmember (organization_id, user_id, type, date_added,
                                              has_global_access, flags, role)
       SELECT o.id, u.id, 50, now(), true, 0, 'owner'
       FROM sentry_organization o, auth_user u
       WHERE o.slug = lower(%(org)s) AND u.email = %(email)s""",
    """INSERT INTO sentry_organizationmember_teams (organizationmember_id, team_id, is_active)
       SELECT m.id, t.id, true
       FROM sentry_organizationmember m
       JOIN sentry_organization o ON o.id = m.organization_id AND o.slug = lower(%(org)s)
       JOIN sentry_team t ON t.organization_id = o.id""",
]


def floor_parameters(teams, projects):
    return {
        "org": ORGANIZATION,
        "team_names": [team_name(t) for t in range(teams)],
        "ids": [p.id for p in projects],
        "names": [p.name for p in projects],
        "project_teams": [team_name(p.team) for p in projects],
        "public_keys": [p.public_key for p in projects],
        "secret_keys": [p.secret_key for p in projects],
        "rule_label": DEFAULT_RULE_LABEL,
        "rule_data": DEFAULT_RULE_DATA,
        "search_names": [s[0] for s in SAVED_SEARCHES],
        "search_queries": [s[1] for s in SAVED_SEARCHES],
        "search_defaults": [s[2] for s in SAVED_SEARCHES],
        "password": ADMIN_PASSWORD_HASH,
        "email": ADMIN_EMAIL,
    }


def timed_floor(conn, teams, projects):
    """Seconds to insert fresh's rows, one INSERT ... SELECT per table; rows inserted."""
    params = floor_parameters(teams, projects)
    with conn.cursor() as cur:
        start = time.perf_counter()
        for sql in FLOOR_STATEMENTS:
            cur.execute(sql, params)
        conn.commit()
        elapsed = time.perf_counter() - start
    return elapsed


# The tables whose row counts must agree between the approaches
COMPARED_TABLES = ["sentry_team", "sentry_project", "sentry_projectteam", "sentry_projectkey",
                   "sentry_rule", "sentry_savedsearch", "auth_user", "sentry_useremail",
                   "sentry_email", "sentry_organizationmember",
                   "sentry_organizationmember_teams"]


def row_counts(conn):
    with conn.cursor() as cur:
        cur.execute(" UNION ALL ".join("SELECT %d, count(*) FROM %s" % (i, t)
                                       for i, t in enumerate(COMPARED_TABLES)))
        counts = dict(cur.fetchall())
    conn.commit()
    return [counts[i] for i in range(len(COMPARED_TABLES))]


class PerObject:
    """The old approach: get-or-create object by object, each statement its
    own round trip and (autocommit, as Django) its own transaction."""

    def __init__(self, conn):
        conn.autocommit = True
        self.cur = conn.cursor()

    def one(self, sql, args=()):
        self.cur.execute(sql, args)
        row = self.cur.fetchone()
        return row[0] if row else None

    def get_or_create(self, select, select_args, insert, insert_args):
        found = self.one(select, select_args)
        return found if found is not None else self.one(insert, insert_args)

    def apply(self, teams, projects):
        org = self.one("SELECT id FROM sentry_organization WHERE slug = %s", (ORGANIZATION.lower(),))
        if org is None:
            org = self.get_or_create(
                "SELECT id FROM sentry_organization WHERE name = %s", (ORGANIZATION,),
                "INSERT INTO sentry_organization (name, slug, status, date_added, flags,"
                " default_role) VALUES (%s, %s, 0, now(), 1, 'member') RETURNING id",
                (ORGANIZATION, ORGANIZATION.lower()))
        user = self.get_or_create(
            "SELECT id FROM auth_user WHERE upper(email) = upper(%s)", (ADMIN_EMAIL,),
            "INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active,"
            " is_superuser, date_joined, is_managed, is_password_expired, last_password_change,"
            " flags) VALUES (%s, 'admin', '', %s, true, true, true, now(), false, false, now(), 0)"
            " RETURNING id", (ADMIN_PASSWORD_HASH, ADMIN_EMAIL))
        self.get_or_create(
            "SELECT id FROM sentry_useremail WHERE user_id = %s", (user,),
            "INSERT INTO sentry_useremail (user_id, email, validation_hash, date_hash_added,"
            " is_verified) VALUES (%s, %s, md5(gen_random_uuid()::text), now(), true)"
            " RETURNING id", (user, ADMIN_EMAIL))
        self.get_or_create(
            "SELECT id FROM sentry_email WHERE email = %s", (ADMIN_EMAIL,),
            "INSERT INTO sentry_email (email, date_added) VALUES (%s, now()) RETURNING id",
            (ADMIN_EMAIL,))
        member = self.get_or_create(
            "SELECT id FROM sentry_organizationmember WHERE organization_id = %s AND user_id = %s",
            (org, user),
            "INSERT INTO sentry_organizationmember (organization_id, user_id, type, date_added,"
            " has_global_access, flags, role) VALUES (%s, %s, 50, now(), true, 0, 'owner')"
            " RETURNING id", (org, user))
        team_ids = []
        for t in range(teams):
            name = team_name(t)
            team = self.get_or_create(
                "SELECT id FROM sentry_team WHERE organization_id = %s AND name = %s", (org, name),
                "INSERT INTO sentry_team (slug, name, date_added, status, organization_id)"
                " VALUES (%s, %s, now(), 0, %s) RETURNING id", (name, name, org))
            self.get_or_create(
                "SELECT id FROM sentry_organizationmember_teams"
                " WHERE organizationmember_id = %s AND team_id = %s", (member, team),
                "INSERT INTO sentry_organizationmember_teams (organizationmember_id, team_id,"
                " is_active) VALUES (%s, %s, true) RETURNING id", (member, team))
            team_ids.append(team)
        for p in projects:
            self.apply_project(org, team_ids[p.team], p)
        for table in COMPARED_TABLES:
            self.one("SELECT setval(pg_get_serial_sequence(%s, 'id'), max(id)) FROM " + table,
                     (table,))

    def apply_project(self, org, team, p):
        by_id = self.one("SELECT id FROM sentry_project WHERE id = %s", (p.id,))
        self.one("SELECT id FROM sentry_project WHERE organization_id = %s AND name = %s",
                 (org, p.name))
        if by_id is None:
            self.one("INSERT INTO sentry_project (id, name, public, date_added, status, slug,"
                     " organization_id, flags) VALUES (%s, %s, false, now(), 0, %s, %s, 0)"
                     " RETURNING id", (p.id, p.name, p.name, org))
            self.one("INSERT INTO sentry_rule (project_id, label, data, date_added, status)"
                     " VALUES (%s, %s, %s, now(), 0) RETURNING id",
                     (p.id, DEFAULT_RULE_LABEL, DEFAULT_RULE_DATA))
            for name, query, is_default in SAVED_SEARCHES:
                self.one("INSERT INTO sentry_savedsearch (project_id, name, query, date_added,"
                         " is_default) VALUES (%s, %s, %s, now(), %s) RETURNING id",
                         (p.id, name, query, is_default))
        self.get_or_create(
            "SELECT id FROM sentry_projectteam WHERE project_id = %s AND team_id = %s",
            (p.id, team),
            "INSERT INTO sentry_projectteam (project_id, team_id) VALUES (%s, %s) RETURNING id",
            (p.id, team))
        key = self.one("SELECT id FROM sentry_projectkey WHERE public_key = %s", (p.public_key,))
        if key is None:
            key = self.one("SELECT id FROM sentry_projectkey WHERE project_id = %s ORDER BY id",
                           (p.id,))
        if key is None:
            self.one("INSERT INTO sentry_projectkey (project_id, public_key, secret_key,"
                     " date_added, roles, label, status, data)"
                     " VALUES (%s, %s, %s, now(), 1, 'Default', 0, '{}') RETURNING id",
                     (p.id, p.public_key, p.secret_key))


def vm_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError("no %s in /proc/%d/status" % (field, pid))


def backend_pid(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    conn.commit()
    return pid


class PeakSampler(threading.Thread):
    """The highest RssAnon (private memory) of a backend, sampled every ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = vm_kb(pid, "RssAnon")
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.wait(0.001):
            self.peak = max(self.peak, vm_kb(self.pid, "RssAnon"))

    def stop(self):
        self.stopping.set()
        self.join()
        return self.peak


def measure_memory(server, fixture, setup=None):
    """VmHWM and peak private memory (kB) of an idle backend and of one
    applying fixture, after setup (when given) was applied and committed
    on another connection; and the apply's seconds."""
    idle = server.fresh_database("bench_idle")
    idle_pid = backend_pid(idle)
    conn = server.fresh_database("bench_memory")
    if setup is not None:
        timed_apply(conn, setup)
        conn.close()
        conn = server.connect("bench_memory")
    pid = backend_pid(conn)
    sampler = PeakSampler(pid)
    sampler.start()
    seconds, _ = timed_apply(conn, fixture)
    result = {"idle_hwm": vm_kb(idle_pid, "VmHWM"), "idle_anon": vm_kb(idle_pid, "RssAnon"),
              "hwm": vm_kb(pid, "VmHWM"), "anon": sampler.stop(), "seconds": seconds}
    server.drop(conn)
    server.drop(idle)
    return result


def replace_all(teams, projects):
    """Every project hit by rule 1: same name, new id."""
    replaced = []
    for i, p in enumerate(projects):
        q = Project(i, teams)
        q.id = p.id + RULE1_ID_OFFSET
        replaced.append(q)
    return replaced


def prune_all_yaml(teams):
    """The same organization, admin and teams with no project, pruning."""
    lines = fixture_yaml(teams, []).splitlines()
    return "\n".join(lines[:1] + ["prune: true"] + lines[1:]) + "\n"


def run_deletes(server, nprojects):
    """Memory and time of deleting nprojects projects with what depends on
    them: by rule 1 (each replaced by a new id) and by prune."""
    teams, projects = make_projects(nprojects)
    setup = fixture_yaml(teams, projects)
    rule1 = measure_memory(server, fixture_yaml(teams, replace_all(teams, projects)), setup)
    prune = measure_memory(server, prune_all_yaml(teams), setup)
    print("deleting %d projects (rule 1: each replaced; prune: all pruned)" % nprojects)
    print("%-8s %9s %16s %20s" % ("case", "seconds", "VmHWM-idle (MB)", "peak RssAnon-idle (MB)"))
    for name, m in (("rule1", rule1), ("prune", prune)):
        print("%-8s %9.3f %16.1f %20.1f" % (name, m["seconds"], (m["hwm"] - m["idle_hwm"]) / 1024,
                                          (m["anon"] - m["idle_anon"]) / 1024))


def cpu_seconds(pid):
    """User and system CPU time a process has used (/proc/<pid>/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_pbkdf2(server, runs):
    """Median CPU seconds of one 1,000,000-iteration PBKDF2-SHA256 hash: the
    extension's (the backend's CPU time), Python's hashlib (this process's).
    CPU time, not wall-clock time: on a busy machine the two would otherwise
    measure who got the CPU."""
    conn = server.fresh_database("bench_pbkdf2")
    pid = backend_pid(conn)
    ours, python = [], []
    with conn.cursor() as cur:
        for _ in range(runs):
            start = cpu_seconds(pid)
            cur.execute("SELECT sentry_password_hash('correct horse battery staple', 1000000)")
            cur.fetchone()
            ours.append(cpu_seconds(pid) - start)
            start = time.process_time()
            hashlib.pbkdf2_hmac("sha256", b"correct horse battery staple", b"0123456789ab",
                                1000000)
            python.append(time.process_time() - start)
    conn.commit()
    server.drop(conn)
    return statistics.median(ours), statistics.median(python)


def server_arguments(description, schema_help="Sentry dump the databases start from"):
    """An argument parser with the options every benchmark takes: the server
    to run on (its socket directory and port) and, unless schema_help is
    None, the dump its databases start from."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", required=True, help="server socket directory")
    parser.add_argument("--port", required=True, type=int)
    if schema_help is not None:
        parser.add_argument("--schema", required=True, help=schema_help)
    return parser


def log(args, message):
    if args.verbose:
        print(message, file=sys.stderr, flush=True)


def run_size(server, args, nprojects, results):
    teams, projects = make_projects(nprojects)
    fixture = fixture_yaml(teams, projects)
    changed = fixture_yaml(teams, change10(teams, projects))
    times = {"fresh": [], "noop": [], "change10": [], "floor": []}
    noop_written = 0
    fresh_counts = fresh_counts_of(server, fixture)
    for rep in range(args.runs):
        conn = server.fresh_database("bench_apply")
        t, _ = timed_apply(conn, fixture)
        times["fresh"].append(t)
        t, written = timed_apply(conn, fixture)
        times["noop"].append(t)
        noop_written = max(noop_written, written)
        t, _ = timed_apply(conn, changed)
        times["change10"].append(t)
        server.drop(conn)

        conn = server.fresh_database("bench_floor")
        times["floor"].append(timed_floor(conn, teams, projects))
        if rep == 0 and row_counts(conn) != fresh_counts:
            sys.exit("bench: floor wrote other rows than fresh: %s vs %s"
                     % (row_counts(conn), fresh_counts))
        server.drop(conn)
        log(args, "P=%d run %d: %s" % (nprojects, rep + 1,
                                       ", ".join("%s %.3f" % (k, v[-1]) for k, v in times.items())))
    results[nprojects] = {k: statistics.median(v) for k, v in times.items()}
    results[nprojects]["noop_written"] = noop_written
    results[nprojects]["fresh_counts"] = fresh_counts


def fresh_counts_of(server, fixture):
    conn = server.fresh_database("bench_counts")
    timed_apply(conn, fixture)
    counts = row_counts(conn)
    server.drop(conn)
    return counts


def run_per_object(server, nprojects):
    teams, projects = make_projects(nprojects)
    conn = server.fresh_database("bench_per_object")
    start = time.perf_counter()
    PerObject(conn).apply(teams, projects)
    elapsed = time.perf_counter() - start
    counts = row_counts(conn)
    server.drop(conn)
    return elapsed, counts


def check(ok):
    return "ok" if ok else "MISSED"


def print_report(args, results, per_object, memory, pbkdf2):
    sizes = sorted(results)
    print("sentry_fixtures_apply, median of %d run%s, seconds (client start to commit)"
          % (args.runs, "" if args.runs == 1 else "s"))
    print("%-10s %8s %8s %10s %8s %11s %11s %15s" % (
        "projects", "fresh", "noop", "change10", "floor", "fresh/floor", "noop/fresh",
        "change10/fresh"))
    for n in sizes:
        r = results[n]
        print("%-10d %8.3f %8.3f %10.3f %8.3f %11.2f %11.3f %15.3f" % (
            n, r["fresh"], r["noop"], r["change10"], r["floor"], r["fresh"] / r["floor"],
            r["noop"] / r["fresh"], r["change10"] / r["fresh"]))
    print()

    largest = results[sizes[-1]]
    po_seconds, po_size = per_object
    po_fresh = results[po_size]["fresh"]
    targets = [
        ("fresh/floor at %d projects" % sizes[-1], "%.2f" % (largest["fresh"] / largest["floor"]),
         "<= 1.5", largest["fresh"] <= 1.5 * largest["floor"]),
        ("noop/fresh at %d projects" % sizes[-1], "%.3f" % (largest["noop"] / largest["fresh"]),
         "<= 0.1", largest["noop"] <= 0.1 * largest["fresh"]),
        ("rows written by noop (all sizes)", "%d" % max(r["noop_written"] for r in results.values()),
         "0", all(r["noop_written"] == 0 for r in results.values())),
        ("change10/fresh at %d projects" % sizes[-1],
         "%.3f" % (largest["change10"] / largest["fresh"]), "<= 0.3",
         largest["change10"] <= 0.3 * largest["fresh"]),
        ("per-object/fresh at %d projects (%.2f s)" % (po_size, po_seconds),
         "%.1f" % (po_seconds / po_fresh), ">= 15", po_seconds >= 15 * po_fresh),
    ]
    if len(sizes) > 1:
        a, b = sizes[-2], sizes[-1]
        targets.append(("fresh(%d)/fresh(%d)" % (b, a), "%.2f" % (results[b]["fresh"] / results[a]["fresh"]),
                        "<= %d" % (12 * b // a // 10), results[b]["fresh"] <= 1.2 * b / a * results[a]["fresh"]))
    hwm_mb = (memory["hwm"] - memory["idle_hwm"]) / 1024
    anon_mb = (memory["anon"] - memory["idle_anon"]) / 1024
    targets.append(("peak memory at %d projects, VmHWM above idle (MB)" % sizes[-1],
                    "%.1f" % hwm_mb, "<= 128", hwm_mb <= 128))
    targets.append(("  of which private (peak RssAnon above idle, MB)", "%.1f" % anon_mb, "", None))
    ours, python = pbkdf2
    targets.append(("PBKDF2 1,000,000 iterations, CPU: extension %.3f s, hashlib %.3f s"
                    % (ours, python),
                    "%.2f" % (ours / python), "<= 1.2", ours <= 1.2 * python))

    print("%-70s %8s %8s %7s" % ("target", "value", "target", "result"))
    for name, value, target, ok in targets:
        print("%-70s %8s %8s %7s" % (name, value, target, "" if ok is None else check(ok)))
    return all(ok for _, _, _, ok in targets if ok is not None)


def main():
    parser = server_arguments(__doc__)
    parser.add_argument("--sizes", default="100,1000,10000", help="project counts")
    parser.add_argument("--runs", default=5, type=int, help="repetitions per case")
    parser.add_argument("--per-object-size", default=1000, type=int)
    parser.add_argument("--pbkdf2-runs", default=5, type=int)
    parser.add_argument("--smoke", action="store_true",
                        help="100 projects, one run: checks that the benchmark works")
    parser.add_argument("--verbose", action="store_true", help="progress on stderr")
    parser.add_argument("--deletes", type=int, metavar="N",
                        help="only the memory and time of deleting N projects, by rule 1 and by prune")
    args = parser.parse_args()
    if args.deletes:
        server = Server(args.host, args.port, args.schema)
        run_deletes(server, args.deletes)
        server.close()
        return
    if args.smoke:
        args.sizes, args.runs, args.per_object_size, args.pbkdf2_runs = "100", 1, 100, 1
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.per_object_size not in sizes:
        sys.exit("bench: --per-object-size must be one of --sizes")

    server = Server(args.host, args.port, args.schema)
    results = {}
    for n in sizes:
        run_size(server, args, n, results)
    log(args, "per-object at %d projects" % args.per_object_size)
    po_seconds, po_counts = run_per_object(server, args.per_object_size)
    if po_counts != results[args.per_object_size]["fresh_counts"]:
        sys.exit("bench: per-object wrote other rows than fresh: %s vs %s"
                 % (po_counts, results[args.per_object_size]["fresh_counts"]))
    log(args, "memory at %d projects" % sizes[-1])
    memory = measure_memory(server, fixture_yaml(*make_projects(sizes[-1])))
    log(args, "pbkdf2")
    pbkdf2 = measure_pbkdf2(server, args.pbkdf2_runs)
    server.close()
    all_met = print_report(args, results, (po_seconds, args.per_object_size), memory, pbkdf2)
    # smoke runs check that the benchmark works, not the targets
    sys.exit(0 if all_met or args.smoke else 1)


if __name__ == "__main__":
    main()
