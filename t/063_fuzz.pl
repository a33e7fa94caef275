# Mutation fuzzing on the real Sentry 9.0 schema: valid fixtures, mutated
# 1 to 4 times each (spans deleted, duplicated or truncated, YAML tokens
# and odd values inserted, characters replaced, lines swapped), go through
# sentry_fixtures_validate() and sentry_fixtures_plan(), and their DSN lines
# through sentry_dsn_parse().  Zero backend crashes, zero errors outside
# SQLSTATE classes 22 (data exception) and 42 (syntax error or access rule
# violation) but for the extension's own refusals of a fixture that
# conflicts with the database (23505: a slug or secret key in use; 21000:
# an ambiguous organization name), and every Sentry table as it was.
#
# FUZZ_COUNT variants (default 100,000) from FUZZ_SEED (default 1); the
# mutator runs inside the server, in batches, so a crash ends the test.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Time::HiRes qw(time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump state_digest);
use Test::More;

my $dump = sentry_dump('sentry-9.0.sql');
my $count = $ENV{FUZZ_COUNT} || 100_000;
my $seed = $ENV{FUZZ_SEED} || 1;
my $batch = 5_000;

my $node = new_sentry_node('fuzz', <<'CONF');
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'https://sentry.example.com'
log_min_messages = fatal
log_statement = none
CONF
load_sentry_dump($node, 'sentry', $dump, no_owner => 1);

# A project that the seeds' rule-5 entry meets, and a team of the
# organization, so that mutants reach every path of the reconciler
$node->safe_psql('sentry', <<'SQL');
INSERT INTO sentry_project (id, name, slug, public, date_added, status, organization_id, flags) VALUES
  (80, 'x', 'x', false, now(), 0, 1, 0), (81, 'y', 'y', false, now(), 0, 1, 0);
INSERT INTO sentry_team (id, slug, name, organization_id, status, date_added)
  VALUES (90, 'ops', 'Ops', 1, 0, now());
SQL

$node->safe_psql('sentry', <<'SQL');
CREATE SCHEMA fuzz;
CREATE TABLE fuzz.seeds (fixture text);
INSERT INTO fuzz.seeds VALUES
($$organization: Practo
url_prefix: https://sentry.example.com
admin:
  username: admin
  email: admin@example.com
  password: s3cret
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcdef:456789abcdef0123456789abcdef0123@sentry.example.com/23
      worker: https://1123456789abcdef0123456789abcdef@sentry.example.com/24
  - name: Web
    projects:
      - name: storefront
        platform: javascript
        dsn: https://89abcdef0123456789abcdef01234567@sentry.example.com/35
$$),
($$teams:
  - name: Ops
    projects:
      x: https://a123456789abcdef0123456789abcdef@sentry.example.com/81
      "quoted; name": "https://b123456789abcdef0123456789abcdef@sentry.example.com/82"
  - {name: "Flow Team", projects: [{name: f, dsn: 'https://c123456789abcdef0123456789abcdef@sentry.example.com/83'}]}
$$),
($$organization: New Org
admin:
  email: root@example.com
  password_hash: pbkdf2_sha256$1000$abcdefghijklmnopqrstuv$0123456789abcdefghijklmnopqrstuvwxyzABCDEFE=
teams:
  - name: Internal
    projects:
      internal: https://5c627d675eec45a59e2b428616694879@sentry.example.com/1
  - name: Ops
$$);

-- One mutation of t
CREATE FUNCTION fuzz.mutate_once(t text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
	tokens text[] := ARRAY['-', ':', ': ', ' ', E'\n', E'\n  ', E'\n    - ', '[', ']', '{', '}', ',',
		'"', '''', '&a ', '*a', '!!str ', '!x ', '? ', '#', E'\t', '~', 'null', '0', '-1',
		'9999999999999999999999', '\', '\0', '\x00', '%', 'é', '💥', '@', '/', '//', ':99999',
		':0', 'https://', 'http://', '0123456789abcdef0123456789abcdef', 'name: ', 'dsn: ',
		'projects:', 'teams:', 'admin:', '---', '...', '%YAML 1.1', '<<: ', '|', '>', '"\u0000"',
		repeat('x', 300), repeat('[', 40), 'Ops', 'x', 'Internal', '/81', '/1'];
	n int := length(t);
	pos int := 1 + floor(random() * greatest(n, 1))::int;
	len int := 1 + floor(random() * 12)::int;
	lines text[];
	i int;
	j int;
	swap text;
BEGIN
	CASE floor(random() * 7)::int
		WHEN 0 THEN RETURN overlay(t PLACING '' FROM pos FOR len);
		WHEN 1 THEN RETURN overlay(t PLACING substr(t, 1 + floor(random() * n)::int, len * 4) FROM pos FOR 0);
		WHEN 2 THEN RETURN overlay(t PLACING tokens[1 + floor(random() * array_length(tokens, 1))::int] FROM pos FOR 0);
		WHEN 3 THEN RETURN overlay(t PLACING tokens[1 + floor(random() * array_length(tokens, 1))::int] FROM pos FOR len);
		WHEN 4 THEN RETURN overlay(t PLACING chr(1 + floor(random() * 126)::int) FROM pos FOR 1);
		WHEN 5 THEN RETURN left(t, pos);
		ELSE
			IF n = 0 THEN
				RETURN t;
			END IF;
			lines := string_to_array(t, E'\n');
			i := 1 + floor(random() * array_length(lines, 1))::int;
			j := 1 + floor(random() * array_length(lines, 1))::int;
			swap := lines[i];
			lines[i] := lines[j];
			lines[j] := swap;
			RETURN array_to_string(lines, E'\n');
	END CASE;
END
$fn$;

-- n variants; returns the calls that ended in each SQLSTATE, and up to
-- ten unexpected errors with their input
CREATE FUNCTION fuzz.run(n int, OUT outcome text, OUT calls int, OUT sample text)
RETURNS SETOF record LANGUAGE plpgsql AS $fn$
DECLARE
	seeds text[] := ARRAY(SELECT fixture FROM fuzz.seeds);
	m text;
	dsn text;
	k int;
	counts jsonb := '{}';
	samples jsonb := '{}';
	fn text;
	state text;
	msg text;
BEGIN
	FOR i IN 1 .. n LOOP
		m := seeds[1 + floor(random() * array_length(seeds, 1))::int];
		FOR k IN 1 .. 1 + floor(random() * 4)::int LOOP
			m := fuzz.mutate_once(m);
		END LOOP;
		dsn := coalesce(substring(m from '(htt[^\s]*)'), m);
		FOREACH fn IN ARRAY ARRAY['validate', 'plan', 'dsn_parse'] LOOP
			BEGIN
				state := 'ok';
				IF fn = 'validate' THEN
					PERFORM count(*) FROM public.sentry_fixtures_validate(m);
				ELSIF fn = 'plan' THEN
					PERFORM count(*) FROM public.sentry_fixtures_plan(m);
				ELSE
					PERFORM count(*) FROM public.sentry_dsn_parse(dsn);
				END IF;
			EXCEPTION WHEN OTHERS THEN
				state := SQLSTATE;
				msg := SQLERRM;
			END;
			counts := jsonb_set(counts, ARRAY[fn || ' ' || state],
				to_jsonb(coalesce((counts ->> (fn || ' ' || state))::int, 0) + 1));
			-- the extension's own refusals of a fixture that conflicts with
			-- the database (a slug or secret key in use, an ambiguous name)
			-- are fine; the same SQLSTATEs from a constraint are not
			IF state <> 'ok' AND left(state, 2) NOT IN ('22', '42')
			   AND NOT (state IN ('23505', '21000') AND msg NOT LIKE '%constraint%')
			   AND (SELECT count(*) FROM jsonb_object_keys(samples)) < 10 THEN
				samples := samples || jsonb_build_object(fn || ' ' || state || ' ' || i,
					msg || E'\n--- input:\n' || m);
			END IF;
		END LOOP;
	END LOOP;
	FOR outcome, calls IN SELECT key, value::int FROM jsonb_each_text(counts) LOOP
		sample := NULL;
		RETURN NEXT;
	END LOOP;
	FOR outcome, sample IN SELECT key, value FROM jsonb_each_text(samples) LOOP
		calls := 0;
		RETURN NEXT;
	END LOOP;
END
$fn$;
SQL

my $before = state_digest($node, 'sentry');
my %total;
my @samples;
my $start = time;
my $done = 0;
my $batch_no = 0;
while ($done < $count)
{
	my $n = $count - $done < $batch ? $count - $done : $batch;
	my ($stdout, $stderr) = ('', '');
	# each batch its own session and seed, so that a run can be replayed
	my $rc = $node->psql('sentry',
		"SET client_min_messages = error; SELECT setseed(" . (($seed * 7919 + $batch_no) % 10007) / 10007.0
		  . "); SELECT outcome, calls, sample FROM fuzz.run($n)",
		stdout => \$stdout, stderr => \$stderr, extra_params => [ '-F', "\x01", '-R', "\x02" ]);
	if ($rc != 0)
	{
		fail("batch $batch_no: the backend survives") or diag($stderr);
		last;
	}
	foreach my $row (split /\x02/, $stdout)
	{
		my ($outcome, $calls, $sample) = split /\x01/, $row, 3;
		next unless defined $calls;
		$outcome =~ s/^\s+//;
		$total{$outcome} += $calls if $calls;
		push @samples, "$outcome: $sample" if $sample;
	}
	$done += $n;
	$batch_no++;
}
my $elapsed = time - $start;
note(sprintf('%d variants in %.0f s (%.0f per second)', $done, $elapsed, $done / ($elapsed || 1)));
note("$_: $total{$_}") foreach sort keys %total;

is($done, $count, "$count mutated variants ran");
is($node->safe_psql('sentry', 'SELECT 1'), '1', 'the server is up, no backend crashed');
is(scalar(@samples), 0, 'no error outside SQLSTATE classes 22 and 42')
  or diag(join("\n\n", @samples));
cmp_ok($total{'plan ok'} // 0, '>', $count / 100, 'some variants were valid and planned');
cmp_ok(scalar(grep { /^plan 22/ } keys %total), '>', 0, 'some variants were refused');
is(state_digest($node, 'sentry'), $before, 'every Sentry table is as it was');
unlike(slurp_file($node->logfile), qr/server process .* was terminated|terminated by signal/,
	'the server log shows no crash');

$node->stop;
done_testing();
