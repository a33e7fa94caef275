#!/usr/bin/python3
#
# bench/cascade.py: deleting a project with 1,000,000 dependent rows, by
# the extension's cascade (rule 1: the project replaced by a new id) and
# by a hand-written DELETE ... USING sequence of the same rows, on Sentry 9
# (groups and events) and on current Sentry (groups and hashes)
# (README, "Performance"; bench/run.sh --cascade runs it).
#
# For each generation: a template database bootstrapped from the dump,
# project 40 created by the extension and given --groups groups and
# --rows - --groups events (Sentry 9) or hashes (current) spread over
# them, analyzed; then each way of deleting runs in a fresh clone of it,
# timed from sending the statement to the end of COMMIT, with the
# backend's peak private memory (RssAnon sampled every ms, above the
# backend's before) and its VmHWM.  Prints both figures and their ratio.
import time

import psycopg2

from bench import PeakSampler, backend_pid, server_arguments, vm_kb

# What each generation's big dependants are: the table under the groups,
# and how its rows are made from a group id g
GENERATIONS = {
    "9": {"rows_table": "sentry_message",
          "rows_insert": "INSERT INTO sentry_message (id, message, datetime, group_id, project_id)"
                         " SELECT r, 'boom', now(), 1 + r %% %(groups)d, 40"
                         " FROM generate_series(1, %(rows)d) AS r"},
    "current": {"rows_table": "sentry_grouphash",
                "rows_insert": "INSERT INTO sentry_grouphash (id, project_id, group_id, hash)"
                               " OVERRIDING SYSTEM VALUE"
                               " SELECT r, 40, 1 + r %% %(groups)d, md5(r::text)"
                               " FROM generate_series(1, %(rows)d) AS r"},
}

# The groups, with the columns both generations need (a Sentry 9 group has a score)
GROUPS_INSERT = ("INSERT INTO sentry_groupedmessage (id, logger, level, message, status, times_seen,"
                 " last_seen, first_seen, project_id, time_spent_total, time_spent_count%(score)s)"
                 " OVERRIDING SYSTEM VALUE"
                 " SELECT g, '', 40, 'boom', 0, 1, now(), now(), 40, 0, 0%(score_value)s"
                 " FROM generate_series(1, %(groups)d) AS g")

FIXTURE = """organization: %s
url_prefix: http://sentry.test
admin:
  email: admin@example.com
  password_hash: pbkdf2_sha256$1000$abcdefghijklmnopqrstuv$0123456789abcdefghijklmnopqrstuvwxyzABCDEFE=
teams:
  - name: Backend
    projects:
      big: http://%s@sentry.test/%d
"""


def connect(args, dbname):
    return psycopg2.connect(host=args.host, port=args.port, dbname=dbname)


def admin_execute(args, sql):
    conn = connect(args, "postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def make_template(args, generation, dump):
    """The dump, project 40 and its dependants, in database cascade_<gen>."""
    name = "cascade_%s" % generation
    admin_execute(args, "DROP DATABASE IF EXISTS %s" % name)
    admin_execute(args, "CREATE DATABASE %s" % name)
    conn = connect(args, name)
    params = {"groups": args.groups, "rows": args.rows - args.groups,
              "score": ", score" if generation == "9" else "", "score_value": ", 0" if generation == "9" else ""}
    with conn.cursor() as cur:
        cur.execute("CREATE EXTENSION sentry_fixtures")
        cur.execute("SELECT loaded FROM sentry_schema_bootstrap(pg_read_file(%s), no_owner => true)", (dump,))
        cur.execute("SELECT slug FROM sentry_organization WHERE id = 1")
        org = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM sentry_fixtures_apply(%s)", (FIXTURE % (org, "1" * 32, 40),))
        cur.execute(GROUPS_INSERT % params)
        cur.execute(GENERATIONS[generation]["rows_insert"] % params)
    conn.commit()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.close()
    admin_execute(args, "CHECKPOINT")
    return name, org


def hand_written(cur, generation):
    """The same rows deleted by hand: the rows under the groups joined to
    them, the groups, every other row of the project, the project."""
    rows_table = GENERATIONS[generation]["rows_table"]
    cur.execute("DELETE FROM %s AS r USING sentry_groupedmessage AS g"
                " WHERE r.group_id = g.id AND g.project_id = 40" % rows_table)
    cur.execute("DELETE FROM sentry_groupedmessage WHERE project_id = 40")
    if generation == "current":
        cur.execute("DELETE FROM sentry_projectkeymapping AS m USING sentry_projectkey AS k"
                    " WHERE m.project_key_id = k.id AND k.project_id = 40")
    cur.execute("SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
                "   AND a.attname = 'project_id' AND NOT a.attisdropped ORDER BY 1")
    for (table,) in cur.fetchall():
        cur.execute("DELETE FROM %s WHERE project_id = 40" % table)
    cur.execute("DELETE FROM sentry_project WHERE id = 40")


def timed(args, template, run):
    """Seconds, peak RssAnon above the start and VmHWM (kB) of run(cur) in
    a fresh clone of template, committed."""
    admin_execute(args, "DROP DATABASE IF EXISTS cascade_run")
    admin_execute(args, "CREATE DATABASE cascade_run TEMPLATE %s" % template)
    conn = connect(args, "cascade_run")
    pid = backend_pid(conn)
    start_anon = vm_kb(pid, "RssAnon")
    sampler = PeakSampler(pid)
    sampler.start()
    start = time.monotonic()
    with conn.cursor() as cur:
        run(cur)
    conn.commit()
    seconds = time.monotonic() - start
    peak = sampler.stop() - start_anon
    hwm = vm_kb(pid, "VmHWM")
    conn.close()
    admin_execute(args, "DROP DATABASE cascade_run")
    return seconds, peak, hwm


def main():
    parser = server_arguments(__doc__, schema_help=None)
    parser.add_argument("--schema9", required=True)
    parser.add_argument("--schema-current", required=True)
    parser.add_argument("--rows", type=int, default=1000000, help="dependent rows in all")
    parser.add_argument("--groups", type=int, default=200000, help="of which groups")
    parser.add_argument("--generations", default="9,current", help="which of 9,current")
    args = parser.parse_args()

    print("deleting a project with %d dependent rows (%d groups), seconds to commit; "
          "peak private memory above the backend's start (RssAnon) and VmHWM, MB"
          % (args.rows, args.groups))
    print("%-9s %-14s %9s %10s %9s" % ("sentry", "way", "seconds", "RssAnon+", "VmHWM"))
    dumps = {"9": args.schema9, "current": args.schema_current}
    for generation in args.generations.split(","):
        dump = dumps[generation]
        template, org = make_template(args, generation, dump)
        fixture = FIXTURE % (org, "1" * 32, 400)
        cascade = timed(args, template,
                        lambda cur: cur.execute("SELECT count(*) FROM sentry_fixtures_apply(%s)", (fixture,)))
        by_hand = timed(args, template, lambda cur: hand_written(cur, generation))
        for way, (seconds, peak, hwm) in (("cascade", cascade), ("DELETE USING", by_hand)):
            print("%-9s %-14s %9.2f %10.1f %9.1f" % (generation, way, seconds, peak / 1024.0, hwm / 1024.0))
        print("%-9s %-14s %9.2f" % (generation, "ratio", cascade[0] / by_hand[0]))
        admin_execute(args, "DROP DATABASE %s" % template)


if __name__ == "__main__":
    main()
