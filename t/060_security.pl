# Security of sentry_fixtures on the real Sentry 9.0 schema:
# - a role without privileges cannot call any function of the extension,
#   a role granted EXECUTE and the table privileges can apply, and EXECUTE
#   alone widens nothing (no table, schema or COPY privilege comes with it);
# - a hostile schema earlier in the caller's search_path, with look-alike
#   functions, operators and tables, changes nothing the extension reads or
#   writes (same report, same end state as a clean database, no hostile
#   object ever called or written);
# - secret keys and passwords appear in no error, NOTICE, WARNING, report
#   row or server log line, also when the apply fails after they were parsed.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump state_digest write_fixture);
use Test::More;

my $dump = sentry_dump('sentry-9.0.sql');

my $node = new_sentry_node('security', <<'CONF');
sentry_fixtures.password_iterations = 1000
log_min_messages = info
log_error_verbosity = verbose
CONF
my $tempdir = PostgreSQL::Test::Utils::tempdir;

# Secrets used below: each must never be shown whole
my $secret1 = 'feedfacecafebeef0123456789abcdef';
my $secret2 = 'deadbeefdeadbeef0123456789abcdef';
my $secret3 = 'c0ffeec0ffeec0ffee0123456789abcd';
my $password = 'Tr0ub4dor-and-3-horse-staples';
# project 1's own secret key in the dump
my $dump_secret = '2934d4d54ba74740bcef39949e65fd1f';

my $fixture = <<"YML";
organization: Practo
url_prefix: https://sentry.example.com
admin:
  username: admin
  email: admin\@example.com
  password_hash: pbkdf2_sha256\$1000\$abcdefghijklmnopqrstuv\$0123456789abcdefghijklmnopqrstuvwxyzABCDEFE=
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcdef:$secret1\@sentry.example.com/23
      worker: https://1123456789abcdef0123456789abcdef:$secret2\@sentry.example.com/24
  - name: Web
    projects:
      - name: storefront
        platform: javascript
        dsn: https://89abcdef0123456789abcdef01234567:abcdef0123456789abcdef0123456789\@sentry.example.com/35
YML
my $fixture_path = write_fixture($tempdir, 'fixture.yml', $fixture);

load_sentry_dump($node, 'sentry', $dump, no_owner => 1);
load_sentry_dump($node, 'reference', $dump, no_owner => 1);
load_sentry_dump($node, 'hostile', $dump, no_owner => 1);

##########################################################################
# Privileges
##########################################################################

$node->safe_psql('postgres', <<'SQL');
CREATE ROLE nobody LOGIN;
CREATE ROLE executor LOGIN;
CREATE ROLE applier LOGIN;
SQL

my @functions = split /\n/, $node->safe_psql('sentry', <<'SQL');
SELECT p.oid::regprocedure
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'sentry_fixtures')
 ORDER BY 1
SQL
cmp_ok(scalar @functions, '>=', 6, 'the extension has its functions');
is( $node->safe_psql('sentry',
		"SELECT count(*) FROM pg_proc WHERE oid = ANY ('{" . join(',', map { qq{"$_"} } @functions)
		  . "}'::regprocedure[]) AND (prosecdef OR proacl IS NULL)"),
	'0', 'no function is SECURITY DEFINER, none keeps the default EXECUTE for PUBLIC');

# Every function, called with arguments of its own types, as a role with no
# grant: permission denied before it does anything.  The NULLs come from
# subqueries: the planner folds a strict scalar function of a NULL constant
# (sentry_fixtures_export) to NULL without calling it or checking EXECUTE.
foreach my $function (@functions)
{
	my ($name, $args) = $function =~ /^(\w+)\((.*)\)$/;
	my $call = join(', ', map { "(SELECT NULL::$_)" } split(/,\s*/, $args));
	my ($rc, $out, $err) = (0, '', '');
	$rc = $node->psql('sentry', "SELECT * FROM $name($call)",
		stdout => \$out, stderr => \$err, extra_params => [ '-U', 'nobody' ]);
	like($err, qr/permission denied for function $name/, "nobody: $function is denied");
}

# EXECUTE alone widens nothing: the tables stay closed to the role
$node->safe_psql('sentry', <<'SQL');
GRANT EXECUTE ON FUNCTION sentry_fixtures_apply(text, boolean, boolean), sentry_fixtures_plan(text),
  sentry_fixtures_validate(text), sentry_schema_bootstrap(text, boolean, boolean) TO executor;
SQL
my ($rc, $out, $err);
$node->psql('sentry', "SELECT * FROM sentry_fixtures_apply(pg_read_file('$fixture_path'))",
	stdout => \$out, stderr => \$err, extra_params => [ '-U', 'executor' ]);
like($err, qr/permission denied for function pg_read_file/,
	'executor: reading a server file is still denied');
$node->psql('sentry', "SELECT * FROM sentry_fixtures_apply(\$f\$$fixture\$f\$)",
	stdout => \$out, stderr => \$err, extra_params => [ '-U', 'executor' ]);
like($err, qr/permission denied for (table|schema|sequence)/,
	'executor: apply without table privileges is denied');
$node->psql('sentry', "SELECT * FROM sentry_fixtures_plan(\$f\$$fixture\$f\$)",
	stdout => \$out, stderr => \$err, extra_params => [ '-U', 'executor' ]);
like($err, qr/permission denied for (table|schema|sequence)/,
	'executor: plan without table privileges is denied');
# bootstrap, in a database whose public schema is empty
$node->safe_psql('postgres', 'CREATE DATABASE emptydb');
# (no CREATE on public for everyone: the default from PostgreSQL 15 on)
$node->safe_psql('emptydb', <<'SQL');
CREATE EXTENSION sentry_fixtures;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA other;
CREATE TABLE other.target (id int, v text);
GRANT USAGE ON SCHEMA other TO executor;
GRANT EXECUTE ON FUNCTION sentry_schema_bootstrap(text, boolean, boolean) TO executor;
SQL
$node->psql('emptydb',
	"SELECT * FROM sentry_schema_bootstrap(E'CREATE TABLE public.intruder (id int);\\n')",
	stdout => \$out, stderr => \$err, extra_params => [ '-U', 'executor' ]);
like($err, qr/permission denied for schema public/, 'executor: bootstrap cannot create in public');
$node->psql('emptydb',
	"SELECT * FROM sentry_schema_bootstrap(E'COPY other.target (id, v) FROM stdin;\\n1\\tx\\n\\\\.\\n')",
	stdout => \$out, stderr => \$err, extra_params => [ '-U', 'executor' ]);
like($err, qr/permission denied for table target/,
	'executor: a dump\'s COPY needs INSERT on the table');
is($node->safe_psql('emptydb', "SELECT count(*) FROM other.target"),
	'0', 'executor: nothing was copied');
is($node->safe_psql('emptydb', "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
	'0', 'executor: no table was created');
is($node->safe_psql('sentry', "SELECT count(*) FROM sentry_project"),
	'1', 'executor: no project was written');

# EXECUTE and the table privileges: the apply goes through
$node->safe_psql('sentry', <<'SQL');
GRANT EXECUTE ON FUNCTION sentry_fixtures_apply(text, boolean, boolean), sentry_fixtures_plan(text) TO applier;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO applier;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO applier;
SQL
my $as_applier = $node->safe_psql('sentry',
	"SELECT action, kind, name FROM sentry_fixtures_plan(\$f\$$fixture\$f\$) ORDER BY 1, 2, 3",
	extra_params => [ '-U', 'applier' ]);
like($as_applier, qr/create\|project\|api/, 'applier: plan works with the table privileges');
$as_applier = $node->safe_psql('sentry',
	"SELECT action, kind, name FROM sentry_fixtures_apply(\$f\$$fixture\$f\$) ORDER BY 1, 2, 3",
	extra_params => [ '-U', 'applier' ]);
like($as_applier, qr/create\|project\|api/, 'applier: apply works with the table privileges');
is($node->safe_psql('sentry', "SELECT count(*) FROM sentry_project WHERE id IN (23, 24, 35)"),
	'3', 'applier: the projects were written');
$node->psql('sentry', "SELECT * FROM sentry_fixtures_validate('teams: []')",
	stdout => \$out, stderr => \$err, extra_params => [ '-U', 'applier' ]);
like($err, qr/permission denied for function sentry_fixtures_validate/,
	'applier: a function not granted stays denied');

##########################################################################
# search_path tricks
##########################################################################

# A hostile schema with look-alikes of what the extension uses: each
# records its call; the tables receive nothing when the extension is safe.
$node->safe_psql('hostile', <<'SQL');
CREATE SCHEMA evil;
GRANT ALL ON SCHEMA evil TO PUBLIC;
CREATE TABLE evil.called (what text);
GRANT ALL ON evil.called TO PUBLIC;
CREATE FUNCTION evil.upper(text) RETURNS text LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.called VALUES ('upper'); RETURN 'X'; END$$;
CREATE FUNCTION evil.lower(text) RETURNS text LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.called VALUES ('lower'); RETURN 'x'; END$$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.called VALUES ('now'); RETURN '1999-01-01'; END$$;
CREATE FUNCTION evil.unnest(text[]) RETURNS SETOF text LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.called VALUES ('unnest(text[])'); RETURN; END$$;
CREATE FUNCTION evil.unnest(bigint[]) RETURNS SETOF bigint LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.called VALUES ('unnest(bigint[])'); RETURN; END$$;
CREATE FUNCTION evil.md5(text) RETURNS text LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.called VALUES ('md5'); RETURN 'x'; END$$;
CREATE FUNCTION evil.setval(regclass, bigint) RETURNS bigint LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.called VALUES ('setval'); RETURN 1; END$$;
CREATE FUNCTION evil.texteq(text, text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.called VALUES ('text = text'); RETURN true; END$$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);
CREATE FUNCTION evil.int8eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.called VALUES ('bigint = bigint'); RETURN true; END$$;
CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.int8eq);
CREATE FUNCTION evil.nameeq(name, text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.called VALUES ('name = text'); RETURN true; END$$;
CREATE OPERATOR evil.= (LEFTARG = name, RIGHTARG = text, FUNCTION = evil.nameeq);
CREATE FUNCTION evil.textcat(text, text) RETURNS text LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO evil.called VALUES ('text || text'); RETURN 'evil'; END$$;
CREATE OPERATOR evil.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.textcat);
CREATE TABLE evil.sentry_organization (LIKE public.sentry_organization);
CREATE TABLE evil.sentry_team (LIKE public.sentry_team);
CREATE TABLE evil.sentry_project (LIKE public.sentry_project);
CREATE TABLE evil.sentry_projectkey (LIKE public.sentry_projectkey);
CREATE TABLE evil.auth_user (LIKE public.auth_user);
INSERT INTO evil.sentry_organization SELECT * FROM public.sentry_organization;
GRANT ALL ON ALL TABLES IN SCHEMA evil TO PUBLIC;
SQL

# A second fixture that renames, moves and deletes (rule 1 on "api")
my $fixture2 = $fixture;
$fixture2 =~ s/api: (\S+)\/23/api: $1\/123/;
$fixture2 =~ s/name: Web/name: Web Front/;
my $fixture2_path = write_fixture($tempdir, 'fixture2.yml', $fixture2);

my $hostile = "SET search_path = evil, pg_catalog, public;\n";
my @reports;
foreach my $db ('reference', 'hostile')
{
	my $prefix = $db eq 'hostile' ? $hostile : '';
	my $report = '';
	foreach my $path ($fixture_path, $fixture_path, $fixture2_path)
	{
		$report .= $node->safe_psql($db, $prefix
			  . "SELECT * FROM public.sentry_fixtures_plan(pg_read_file('$path'));"
			  . "SELECT * FROM public.sentry_fixtures_apply(pg_read_file('$path'));"
			  . "SELECT * FROM public.sentry_fixtures_validate(pg_read_file('$path'));"
			  . "SELECT * FROM public.sentry_dsn_parse('https://0123456789abcdef0123456789abcdef\@h/1');")
		  . "\n";
	}
	push @reports, $report;
}
is($reports[1], $reports[0], 'hostile search_path: the same reports as a clean database');
is(state_digest($node, 'hostile'), state_digest($node, 'reference'),
	'hostile search_path: the same end state as a clean database');
is($node->safe_psql('hostile', 'SELECT count(*) FROM evil.called'),
	'0', 'hostile search_path: no look-alike function or operator was called');
is( $node->safe_psql('hostile',
		'SELECT (SELECT count(*) FROM evil.sentry_team) + (SELECT count(*) FROM evil.sentry_project)'
		  . ' + (SELECT count(*) FROM evil.sentry_projectkey) + (SELECT count(*) FROM evil.auth_user)'),
	'0', 'hostile search_path: nothing was written to look-alike tables');
is($node->safe_psql('hostile', "SELECT string_agg(id::text, ',' ORDER BY id) FROM public.sentry_project"),
	'1,24,35,123', 'hostile search_path: the projects are where they belong');
is( $node->safe_psql('hostile',
		$hostile . "SELECT length(public.sentry_password_hash('x', 1000)) > 0; SHOW search_path"),
	"t\nevil, pg_catalog, public",
	'hostile search_path: the caller\'s search_path is as it was after a call');

# A bootstrap whose dump sets no search_path runs in the caller's, as psql
# would; its own catalog queries are unaffected by the hostile schema
$node->safe_psql('postgres', 'CREATE DATABASE hostileboot');
$node->safe_psql('hostileboot', 'CREATE EXTENSION sentry_fixtures; CREATE SCHEMA evil;'
	  . "CREATE TABLE evil.called (what text);"
	  . 'CREATE FUNCTION evil.texteq(text, text) RETURNS boolean LANGUAGE plpgsql AS'
	  . " \$\$BEGIN INSERT INTO evil.called VALUES ('text = text'); RETURN true; END\$\$;"
	  . 'CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);'
	  . 'CREATE FUNCTION evil.nameeq(name, name) RETURNS boolean LANGUAGE plpgsql AS'
	  . " \$\$BEGIN INSERT INTO evil.called VALUES ('name = name'); RETURN true; END\$\$;"
	  . 'CREATE OPERATOR evil.= (LEFTARG = name, RIGHTARG = name, FUNCTION = evil.nameeq);');
is( $node->safe_psql('hostileboot',
		'SET search_path = evil, pg_catalog, public;'
		  . "SELECT loaded, tables FROM public.sentry_schema_bootstrap(pg_read_file('$dump'), no_owner => true);"
		  . 'SELECT count(*) FROM evil.called'),
	"t|137\n0", 'hostile search_path: bootstrap loads the dump and calls no look-alike');

##########################################################################
# Secrets
##########################################################################

# Every message of one call (errors, notices, warnings, report rows) and
# the server log lines it produced
sub call_output
{
	my ($db, $sql) = @_;
	my $offset = -s $node->logfile;
	my ($stdout, $stderr) = ('', '');
	$node->psql($db, "SET client_min_messages = debug5; $sql",
		stdout => \$stdout, stderr => \$stderr);
	my $log = slurp_file($node->logfile, $offset);
	return ($stdout, $stderr, $log);
}

# None of the secrets, whole, anywhere
sub no_secrets
{
	my ($name, @texts) = @_;
	my $all = join("\n", @texts);
	my @found = grep { index($all, $_) >= 0 }
	  ($secret1, $secret2, $secret3, $password, $dump_secret, 'abcdef0123456789abcdef0123456789');
	is(scalar @found, 0, "$name: no secret or password shown") or diag($all);
}

$node->safe_psql('postgres', 'CREATE DATABASE secrets');
$node->safe_psql('secrets', 'CREATE EXTENSION sentry_fixtures');
$node->safe_psql('secrets',
	"SELECT loaded FROM sentry_schema_bootstrap(pg_read_file('$dump'), no_owner => true)");
$node->safe_psql('secrets', <<'SQL');
INSERT INTO sentry_project (id, name, slug, public, date_added, status, organization_id, flags) VALUES
  (80, 'x', 'x', false, now(), 0, 1, 0), (81, 'y', 'y', false, now(), 0, 1, 0);
INSERT INTO sentry_team (id, slug, name, organization_id, status, date_added)
  VALUES (90, 'web', 'Other web', 1, 0, now());
SQL

my $with_password = $fixture;
$with_password =~ s/password_hash: .*/password: $password/;
my %failing = (
	'secret held by another project' =>
	  "organization: Practo\nurl_prefix: https://sentry.example.com\nadmin:\n  email: a\@example.com\n"
	  . "  password: $password\nteams:\n  - name: T\n    projects:\n"
	  . "      p: https://0123456789abcdef0123456789abcdef:$dump_secret\@sentry.example.com/23\n",
	'two projects with one secret' =>
	  "organization: Practo\nurl_prefix: https://sentry.example.com\nadmin:\n  email: a\@example.com\n"
	  . "  password: $password\nteams:\n  - name: T\n    projects:\n"
	  . "      p: https://0123456789abcdef0123456789abcdef:$secret1\@sentry.example.com/23\n"
	  . "      q: https://1123456789abcdef0123456789abcdef:$secret1\@sentry.example.com/24\n",
	'invalid fixture with secrets' => $with_password . "unknown_key: 1\n",
	'wrong DSN host with a secret' =>
	  "url_prefix: https://sentry.example.com\nadmin:\n  email: a\@example.com\n"
	  . "  password: $password\nteams:\n  - name: T\n    projects:\n"
	  . "      p: https://0123456789abcdef0123456789abcdef:$secret1\@other.example.com/23\n"
	  . "      q: http://0123456789abcdef0123456789abcdef:$secret2\@sentry.example.com:99/23/x\n"
	  . "      r: https://0123456789ABCDEF0123456789abcdef:$secret2\@sentry.example.com/0\n",
	'team slug taken by another team' => $with_password,);
foreach my $case (sort keys %failing)
{
	my $path = write_fixture($tempdir, "failing.yml", $failing{$case});
	foreach my $call ('sentry_fixtures_apply', 'sentry_fixtures_plan', 'sentry_fixtures_validate')
	{
		my ($stdout, $stderr, $log) =
		  call_output('secrets', "SELECT * FROM $call(pg_read_file('$path'))");
		no_secrets("$case, $call", $stdout, $stderr, $log);
		like($stderr, qr/ERROR:  /, "$case, $call: fails") if $call ne 'sentry_fixtures_validate';
	}
}
# a message of its own for a secret another project key holds
my ($stdout, $stderr, $log);
write_fixture($tempdir, "failing.yml", $failing{'secret held by another project'});
($stdout, $stderr, $log) = call_output('secrets',
	"SELECT * FROM sentry_fixtures_apply(pg_read_file('$tempdir/failing.yml'))");
like($stderr, qr/ERROR:  secret key of project "p" is already used by project key 1 of project 1/,
	'a secret held by another key: refused, naming the key, not the secret');
write_fixture($tempdir, "failing.yml", $failing{'two projects with one secret'});
($stdout, $stderr, $log) = call_output('secrets',
	"SELECT * FROM sentry_fixtures_apply(pg_read_file('$tempdir/failing.yml'))");
like($stderr, qr/ERROR:  projects "p" and "q" have the same secret key/,
	'two projects with one secret: refused, naming both');

# Successful applies, and rule 5's WARNING: report rows and messages show
# at most a secret's first characters
my $rule5 = <<"YML";
organization: Practo
url_prefix: https://sentry.example.com
admin:
  email: admin\@example.com
  password: $password
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcdef:$secret1\@sentry.example.com/23
      worker: https://1123456789abcdef0123456789abcdef:$secret2\@sentry.example.com/24
  - name: Ops
    projects:
      x: https://a123456789abcdef0123456789abcdef:$secret3\@sentry.example.com/81
YML
my $rule5_path = write_fixture($tempdir, 'rule5.yml', $rule5);
my $messages = '';
foreach my $call ('sentry_fixtures_plan', 'sentry_fixtures_apply', 'sentry_fixtures_apply')
{
	($stdout, $stderr, $log) = call_output('secrets',
		"SELECT * FROM $call(pg_read_file('$rule5_path'))");
	no_secrets("successful $call", $stdout, $stderr, $log);
	$messages .= $stdout . $stderr;
}
like($messages, qr/skip\|project\|x/, 'rule 5 skipped project x');
like($messages, qr/WARNING: .*"x"/, 'rule 5 warned');
like($messages, qr/applied: 0 created, 0 updated, 0 deleted, 1 skipped/, 'the last apply changed nothing');
is($node->safe_psql('secrets', "SELECT count(*) FROM sentry_projectkey WHERE secret_key = '$secret2'"),
	'1', 'the secrets were written');

$node->stop;
done_testing();
