# The upgrade path from 0.1: a database made with the 0.1 install script
# (kept in the tree as released), with a fixture applied through the
# functions of 0.1 on the current library, is brought to the current
# version by ALTER EXTENSION sentry_fixtures UPDATE and, in another
# database, by "sentry-fixtures init", which runs it.  After either: the
# extension's version is the default one, every table holds what it held,
# the functions work on the data (the same fixture has nothing left to do,
# validate, plan, export, info, the DSN and password helpers), and the
# extension's objects (each function's definition and privileges) are
# exactly those of a database made at the current version, so an update
# script that misses a change of the install script fails here.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(new_sentry_node table_checksum extension_default_version);
use Test::More;

my $node = new_sentry_node('upgrade',
	"sentry_fixtures.password_iterations = 1000\nsentry_fixtures.url_prefix = 'https://sentry.example.com'");
my $schema = "$FindBin::Bin/sentry9_test_schema.sql";
my $dir = PostgreSQL::Test::Utils::tempdir;
my $fixture = "$dir/fixture.yml";
PostgreSQL::Test::Utils::append_to_file($fixture, <<'YAML');
organization: sentry
url_prefix: https://sentry.example.com
admin:
  email: admin@example.com
  password: s3cret
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcdef:456789abcdef0123456789abcdef0123@sentry.example.com/23
      worker: https://1123456789abcdef0123456789abcdef@sentry.example.com/24
YAML

my $current = extension_default_version();
isnt($current, '0.1', "the current version ($current) is not 0.1");

sub extversion
{
	my ($db) = @_;
	return $node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'sentry_fixtures'");
}

# Every object of the extension, with a function's whole definition and
# its privileges
sub extension_objects
{
	my ($db) = @_;
	return $node->safe_psql($db, q{
		SELECT string_agg(o.line, E'\n' ORDER BY o.line)
		FROM (SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
		               || coalesce(E'\n' || pg_get_functiondef(p.oid), '')
		               || coalesce(E'\n' || p.proacl::text, '') AS line
		      FROM pg_depend d
		      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sentry_fixtures'
		      LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
		      WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e') AS o});
}

# A database at 0.1 with the test schema and the fixture applied by 0.1's
# functions
sub database_at_0_1
{
	my ($db) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE EXTENSION sentry_fixtures VERSION '0.1'");
	is(extversion($db), '0.1', "$db: the extension is at 0.1");
	is($node->safe_psql($db, "SELECT loaded FROM sentry_schema_bootstrap(pg_read_file('$schema'))"),
		't', "$db: 0.1's bootstrap loads the schema");
	is($node->safe_psql($db,
		"SELECT count(*) FILTER (WHERE action = 'create' AND kind = 'project') FROM sentry_fixtures_apply(pg_read_file('$fixture'))"),
		'2', "$db: 0.1's apply creates the fixture's projects");
	return table_checksum($node, $db);
}

# What the current version's functions do on a database that was updated
sub check_functions
{
	my ($db) = @_;
	is($node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$fixture'))"),
		'0', "$db: the same fixture has nothing left to do");
	is($node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_plan(pg_read_file('$fixture'))"),
		'0', "$db: plan agrees");
	is($node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_validate(pg_read_file('$fixture'))"),
		'0', "$db: validate finds no problem");
	like($node->safe_psql($db, 'SELECT sentry_fixtures_export()'),
		qr/456789abcdef0123456789abcdef0123\@sentry\.example\.com\/23/, "$db: export has the project's DSN");
	is($node->safe_psql($db, "SELECT value FROM sentry_fixtures_info() WHERE key = 'schema'"),
		'public', "$db: info works");
	is($node->safe_psql($db,
		"SELECT project_id FROM sentry_dsn_parse('https://0123456789abcdef0123456789abcdef\@sentry.example.com/23')"),
		'23', "$db: sentry_dsn_parse works");
	like($node->safe_psql($db, "SELECT sentry_password_hash('pw', 1000)"),
		qr/^pbkdf2_sha256\$1000\$/, "$db: sentry_password_hash works");
}

# The reference: a database made at the current version
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION sentry_fixtures');
my $fresh_objects = extension_objects('fresh');

# ALTER EXTENSION ... UPDATE
my $before = database_at_0_1('altered');
$node->safe_psql('altered', 'ALTER EXTENSION sentry_fixtures UPDATE');
is(extversion('altered'), $current, "altered: ALTER EXTENSION UPDATE brings it to $current");
is(table_checksum($node, 'altered'), $before, 'altered: every table holds what it held');
is(extension_objects('altered'), $fresh_objects,
	"altered: the extension's objects are those of a database made at $current");
check_functions('altered');
is(table_checksum($node, 'altered'), $before, 'altered: and the functions changed nothing');

# sentry-fixtures init, on a database at 0.1 that has its schema
$before = database_at_0_1('initialized');
my ($out, $err);
{
	local $ENV{PGHOST} = $node->host;
	local $ENV{PGPORT} = $node->port;
	local $ENV{PGDATABASE} = 'initialized';
	IPC::Run::run([ "$FindBin::Bin/../sentry-fixtures", 'init', '--fixtures', $fixture ],
		'<', \undef, '>', \$out, '2>', \$err);
}
is($?, 0, 'sentry-fixtures init exits 0') or diag($err);
like($out, qr/^extension sentry_fixtures: updated from 0\.1 to \Q$current\E$/m,
	'sentry-fixtures init says it updated the extension');
is(extversion('initialized'), $current, "initialized: the extension is at $current");
is(table_checksum($node, 'initialized'), $before, 'initialized: every table holds what it held');
is(extension_objects('initialized'), $fresh_objects,
	"initialized: the extension's objects are those of a database made at $current");
check_functions('initialized');

$node->stop;
done_testing();
