#!/usr/bin/python3
#
# bench/current.py: sentry_fixtures_apply() on current Sentry
# (sentry-current-full.sql, with the workflow engine), against an INSERT
# floor that writes exactly the same rows (README, "Performance").
#
# The fixtures, sizes and cases are those of bench.py (fresh, noop,
# change10, P projects in P / 10 teams, an admin); what differs is the
# schema and the floor.  On current Sentry a fresh apply writes about
# twenty tables (organization and its mapping, teams, projects, keys and
# key mappings, option epochs, rules, detectors, the workflow chain of
# each project, the admin, its e-mail, role and memberships), so the floor
# is taken from the rows fresh wrote: after one fresh apply, every row
# newer than the template's (id above the template's highest) is read
# out per table, one text array per column, and the floor inserts those
# same rows into a fresh database with one INSERT ... SELECT FROM
# unnest($1::text[], ...) per table (the extension's own way of writing),
# in one transaction.
import statistics
import subprocess
import sys

import bench


class CurrentServer(bench.Server):
    """bench.Server whose template is loaded from a psql script, and which
    knows the template's highest id per table."""

    def load_schema(self, cur, schema):
        cur.connection.commit()
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.host,
                        "-p", str(self.port), "-d", "bench_template", "-f", schema], check=True,
                       stdout=subprocess.DEVNULL)
        cur.execute("SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                    " AND a.attname = 'id' WHERE c.relkind = 'r'"
                    " AND c.relnamespace = 'public'::regnamespace ORDER BY 1")
        self.template_max = {}
        for (t,) in cur.fetchall():
            cur.execute('SELECT coalesce(max(id), 0) FROM "%s"' % t)
            self.template_max[t] = cur.fetchone()[0]


def new_rows(server, conn):
    """Per table, the rows newer than the template's: (count, columns, column
    types, one text[] literal per column).  As literals, each array reaches
    the server as one constant: psycopg2 interpolates a Python list as
    ARRAY[...] with one expression per element, which costs the parser more
    than the insert."""
    rows = {}
    with conn.cursor() as cur:
        for t, top in server.template_max.items():
            cur.execute("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
                        " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped"
                        " ORDER BY a.attnum", ('"%s"' % t,))
            columns = cur.fetchall()
            cur.execute("SELECT count(*), %s FROM \"%s\" WHERE id > %%s"
                        % (", ".join('array_agg("%s"::text ORDER BY id)::text' % c for c, _ in columns), t),
                        (top,))
            found = cur.fetchone()
            if found[0]:
                rows[t] = (found[0], columns, list(found[1:]))
    conn.commit()
    return rows


def timed_floor(conn, rows):
    """Seconds to insert the rows, one INSERT ... SELECT FROM unnest() of text
    arrays per table (as the extension writes), one transaction."""
    with conn.cursor() as cur:
        start = bench.time.perf_counter()
        for t, (n, columns, arrays) in rows.items():
            names = ", ".join('"%s"' % c for c, _ in columns)
            casts = ", ".join('u.c%d::%s' % (i, typ) for i, (_, typ) in enumerate(columns))
            params = ", ".join("%s::text[]" for _ in columns)
            aliases = ", ".join("c%d" % i for i in range(len(columns)))
            cur.execute('INSERT INTO "%s" (%s) SELECT %s FROM unnest(%s) AS u(%s)'
                        % (t, names, casts, params, aliases), arrays)
        conn.commit()
        return bench.time.perf_counter() - start


def run_size(server, args, nprojects, results):
    teams, projects = bench.make_projects(nprojects)
    fixture = bench.fixture_yaml(teams, projects)
    changed = bench.fixture_yaml(teams, bench.change10(teams, projects))
    conn = server.fresh_database("bench_rows")
    bench.timed_apply(conn, fixture)
    rows = new_rows(server, conn)
    server.drop(conn)
    times = {"fresh": [], "noop": [], "change10": [], "floor": []}
    noop_written = 0
    for rep in range(args.runs):
        conn = server.fresh_database("bench_apply")
        t, _ = bench.timed_apply(conn, fixture)
        times["fresh"].append(t)
        t, written = bench.timed_apply(conn, fixture)
        times["noop"].append(t)
        noop_written = max(noop_written, written)
        t, _ = bench.timed_apply(conn, changed)
        times["change10"].append(t)
        server.drop(conn)

        conn = server.fresh_database("bench_floor")
        times["floor"].append(timed_floor(conn, rows))
        server.drop(conn)
        bench.log(args, "P=%d run %d: %s" % (nprojects, rep + 1,
                                             ", ".join("%s %.3f" % (k, v[-1]) for k, v in times.items())))
    results[nprojects] = {k: statistics.median(v) for k, v in times.items()}
    results[nprojects]["noop_written"] = noop_written
    results[nprojects]["tables"] = len(rows)
    results[nprojects]["rows"] = sum(r[0] for r in rows.values())


def main():
    parser = bench.server_arguments(__doc__, "sentry-current-full.sql")
    parser.add_argument("--sizes", default="1000,10000", help="project counts")
    parser.add_argument("--runs", default=3, type=int, help="repetitions per case")
    parser.add_argument("--verbose", action="store_true", help="progress on stderr")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    server = CurrentServer(args.host, args.port, args.schema)
    results = {}
    for n in sizes:
        bench.log(args, "size %d" % n)
        run_size(server, args, n, results)
    server.close()

    print("sentry_fixtures_apply on sentry-current-full.sql, median of %d runs, seconds" % args.runs)
    print("%-8s %6s %8s %9s %9s %8s %11s %10s %14s" % ("projects", "tables", "rows", "fresh", "noop",
                                                    "change10", "floor", "fresh/floor",
                                                    "noop/fresh"))
    all_met = True
    for n in sizes:
        r = results[n]
        print("%-8d %6d %8d %9.3f %9.3f %8.3f %11.3f %10.2f %14.3f" % (
            n, r["tables"], r["rows"], r["fresh"], r["noop"], r["change10"], r["floor"],
            r["fresh"] / r["floor"], r["noop"] / r["fresh"]))
        all_met &= r["fresh"] <= 1.5 * r["floor"] and r["noop"] <= 0.1 * r["fresh"]
        all_met &= r["noop_written"] == 0
    largest = results[sizes[-1]]
    print("targets at %d projects: fresh/floor %.2f (<= 1.5), noop/fresh %.3f (<= 0.1), noop rows %d (0): %s"
          % (sizes[-1], largest["fresh"] / largest["floor"], largest["noop"] / largest["fresh"],
             largest["noop_written"], "ok" if all_met else "MISSED"))
    sys.exit(0 if all_met else 1)


if __name__ == "__main__":
    main()
