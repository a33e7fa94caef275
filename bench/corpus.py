#!/usr/bin/python3
#
# bench/corpus.py: how long each malformed or hostile fixture takes to be
# refused, and how much memory the backend needs for it (README,
# "Performance"; bench/run.sh --corpus runs it).
#
# The cases are those of t/010_corpus.pl (t/HostileFixtures.pm writes
# them), plus the two that test makes in SQL: 100 MB of nested lists and a
# text just over the size limit.  Each case gets a new connection to a
# Sentry database (the dump given with --schema, with a small fixture
# applied; SQL_ASCII for the invalid UTF-8 cases) and runs, timed from the
# client, sentry_fixtures_validate() and then sentry_fixtures_apply(),
# which must fail.  Then the backend's VmHWM (peak resident memory) is
# read.  The floor of each case is what making its text costs without the
# extension (pg_read_file() of the file, or the SQL that builds it), in
# another new connection: length() of the same text, its time and VmHWM.
# It prints the slowest and the largest cases, and whether the targets
# hold: every case refused within a second over its floor, and no backend
# more than 256 MB over its floor.
import subprocess
import sys
import time

import psycopg2

from bench import backend_pid, server_arguments, vm_kb

START_FIXTURE = """organization: Practo
url_prefix: https://sentry.example.com
admin:
  email: admin@example.com
  password_hash: pbkdf2_sha256$1000$benchsalt$bEdt7lqjd95iFcne9WVWLOazMiznFd3HtZwgkOSF5kY=
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210@sentry.example.com/2
"""

# The cases t/010_corpus.pl builds in SQL rather than in files
SQL_CASES = [
    ("100 MB of nested lists", "utf8", "'teams: ' || repeat('[', 100 * 1024 * 1024)"),
    ("oversized fixture", "utf8", "repeat('#', 64 * 1024 * 1024 + 1)"),
]

DATABASES = {"utf8": "corpus_utf8", "sqlascii": "corpus_sqlascii"}
SECONDS_TARGET = 1.0
MEMORY_TARGET_MB = 256


def file_cases(tdir, workdir):
    """(name, db, SQL text expression) of every case HostileFixtures writes."""
    script = ('print "$_->{name}\\t$_->{db}\\t$_->{path}\\n" '
              'for HostileFixtures::hostile_fixtures($ARGV[0])')
    out = subprocess.run(["perl", "-I", tdir, "-MHostileFixtures", "-e", script, workdir],
                         check=True, capture_output=True, text=True).stdout
    cases = []
    for line in out.splitlines():
        name, db, path = line.split("\t")
        cases.append((name, db, "pg_read_file(%s)" % quote_literal(path)))
    return cases


def quote_literal(text):
    return "'" + text.replace("'", "''") + "'"


def prepare_databases(args):
    """Both databases: the extension, the schema, the start fixture."""
    admin = psycopg2.connect(host=args.host, port=args.port, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        for encoding, name in (("UTF8", DATABASES["utf8"]), ("SQL_ASCII", DATABASES["sqlascii"])):
            cur.execute("DROP DATABASE IF EXISTS %s" % name)
            cur.execute("CREATE DATABASE %s ENCODING '%s' LC_COLLATE 'C' LC_CTYPE 'C'"
                        " TEMPLATE template0" % (name, encoding))
            conn = psycopg2.connect(host=args.host, port=args.port, dbname=name)
            with conn.cursor() as c:
                c.execute("CREATE EXTENSION sentry_fixtures")
                c.execute("SELECT loaded FROM sentry_schema_bootstrap(pg_read_file(%s),"
                          " no_owner => true)", (args.schema,))
                c.execute("SELECT count(*) FROM sentry_fixtures_apply(%s)", (START_FIXTURE,))
            conn.commit()
            conn.close()
    admin.close()


def timed(conn, sql):
    """Seconds a statement takes, and whether it failed (rolled back)."""
    start = time.monotonic()
    failed = False
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            cur.fetchall()
    except psycopg2.Error:
        failed = True
    conn.rollback()
    return time.monotonic() - start, failed


def measure(args, name, db, text):
    """A case's times and VmHWM, and those of its floor."""
    conn = psycopg2.connect(host=args.host, port=args.port, dbname=DATABASES[db])
    pid = backend_pid(conn)
    validate_s, _ = timed(conn, "SELECT count(*) FROM sentry_fixtures_validate(%s)" % text)
    apply_s, apply_failed = timed(conn, "SELECT count(*) FROM sentry_fixtures_apply(%s)" % text)
    hwm_kb = vm_kb(pid, "VmHWM")
    conn.close()

    conn = psycopg2.connect(host=args.host, port=args.port, dbname=DATABASES[db])
    pid = backend_pid(conn)
    floor_s, _ = timed(conn, "SELECT length(%s)" % text)
    floor_kb = vm_kb(pid, "VmHWM")
    conn.close()
    return {"name": name, "validate": validate_s - floor_s, "apply": apply_s - floor_s,
            "refused": apply_failed, "floor": floor_s,
            "mb": (hwm_kb - floor_kb) / 1024.0, "floor_mb": floor_kb / 1024.0}


def main():
    parser = server_arguments(__doc__)
    parser.add_argument("--tdir", required=True, help="the t/ folder (HostileFixtures.pm, corpus/)")
    parser.add_argument("--workdir", required=True, help="where the cases are written")
    args = parser.parse_args()

    prepare_databases(args)
    results = [measure(args, *case)
               for case in file_cases(args.tdir, args.workdir) + SQL_CASES]

    print("cases: %d; times and memory are over each case's floor (making its text)"
          % len(results))
    header = "%-40s %10s %8s %8s %10s %10s" % ("", "validate s", "apply s", "floor s",
                                                "MB", "floor MB")
    row = "%-40s %10.3f %8.3f %8.3f %10.1f %10.1f"
    for title, key in (("slowest cases", lambda r: -max(r["validate"], r["apply"])),
                       ("largest cases", lambda r: -r["mb"])):
        print(header.replace(" " * 40, "%-40s" % title, 1))
        for r in sorted(results, key=key)[:5]:
            print(row % (r["name"][:40], r["validate"], r["apply"], r["floor"],
                         r["mb"], r["floor_mb"]))

    slow = [r["name"] for r in results if max(r["validate"], r["apply"]) > SECONDS_TARGET]
    large = [r["name"] for r in results if r["mb"] > MEMORY_TARGET_MB]
    applied = [r["name"] for r in results if not r["refused"]]
    targets = [
        ("cases taking more than %.0f s over their floor" % SECONDS_TARGET, slow),
        ("cases taking more than %d MB over their floor" % MEMORY_TARGET_MB, large),
        ("cases the apply did not refuse", applied),
    ]
    for label, names in targets:
        print("%-60s %5d  %s%s" % (label, len(names), "ok" if not names else "MISSED: ",
                                   ", ".join(names)))
    sys.exit(0 if not (slow or large or applied) else 1)


if __name__ == "__main__":
    main()
