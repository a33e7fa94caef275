# sentry_schema_bootstrap() and dumps made by a newer pg_dump than the
# server.  t/pg17_dump.sql is a real dump made by pg_dump 17, which sets
# transaction_timeout (a setting PostgreSQL 17 added).  On a server that
# has the setting (17 and later) the dump loads, and so does a dump that
# the server's own pg_dump makes of it.  On one that lacks it (13 to 16)
# the load is refused with the error that names the setting, the server's
# major and the dump line, and leaves nothing behind.  A setting that no
# major has is refused the same way on every one.  t/pg_matrix.sh runs
# this on 13, 17 and 18 and the host on 15: both directions.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(new_sentry_node);
use Test::More;

my $node = new_sentry_node('newer_dump');
my $dump = "$FindBin::Bin/pg17_dump.sql";
my $major = int($node->safe_psql('postgres', 'SHOW server_version_num') / 10000);
my $has_setting = $node->safe_psql('postgres',
	"SELECT count(*) FROM pg_settings WHERE name = 'transaction_timeout'") eq '1';
is($has_setting, $major >= 17, "PostgreSQL $major has transaction_timeout only from 17 on");

# A new database with the extension, and the tables it has
sub new_database
{
	my ($db) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION sentry_fixtures');
}

sub tables
{
	my ($db) = @_;
	return $node->safe_psql($db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
}

# The whole error a refused setting gets on this server (after psql's
# prefix)
sub refusal
{
	my ($setting, $line, $statement) = @_;
	my $text = qq{ERROR:  dump sets unrecognized configuration parameter "$setting"\n}
	  . "DETAIL:  PostgreSQL $major does not have this setting; the dump was probably made by a newer pg_dump.\n"
	  . "HINT:  Make the dump with a pg_dump no newer than this server.\n"
	  . "CONTEXT:  dump line $line: $statement";
	return qr/^psql:<stdin>:1: \Q$text\E\z/;
}

new_database('from_17');
my ($ret, $out, $err) = $node->psql('from_17', "SELECT loaded, tables, rows FROM sentry_schema_bootstrap(pg_read_file('$dump'))");
if ($has_setting)
{
	is($ret, 0, "PostgreSQL $major: pg_dump 17's dump loads") or diag($err);
	is($out, 't|1|2', "PostgreSQL $major: with its table and its rows");
	is($node->safe_psql('from_17', "SELECT value FROM sentry_option WHERE key = 'system.url-prefix'"),
		'"https://sentry.example.com"', "PostgreSQL $major: the rows are the dump's");

	# the server's own pg_dump sets it too, and its dump loads
	my $own;
	IPC::Run::run([ 'pg_dump', '--no-owner', '--no-privileges', '-d', $node->connstr('from_17') ],
		'>', \$own)
	  or die "pg_dump failed";
	like($own, qr/^SET transaction_timeout = 0;$/m, "PostgreSQL $major: its pg_dump sets transaction_timeout");
	my $own_file = PostgreSQL::Test::Utils::tempdir . '/own.sql';
	PostgreSQL::Test::Utils::append_to_file($own_file, $own);
	new_database('from_own');
	is($node->safe_psql('from_own', "SELECT loaded, tables, rows FROM sentry_schema_bootstrap(pg_read_file('$own_file'))"),
		't|1|2', "PostgreSQL $major: the dump of its own pg_dump loads");
}
else
{
	isnt($ret, 0, "PostgreSQL $major: pg_dump 17's dump is refused");
	like($err, refusal('transaction_timeout', 13, 'SET transaction_timeout = 0;'),
		"PostgreSQL $major: the error names the setting, the server's major and the dump line");
	is(tables('from_17'), '0', "PostgreSQL $major: the refused load left no table behind");
}

# A setting no PostgreSQL has: refused on every major
new_database('unknown');
($ret, $out, $err) = $node->psql('unknown',
	"SELECT * FROM sentry_schema_bootstrap(E'SET statement_timeout = 0;\\nSET no_such_timeout = 0;\\nCREATE TABLE t (id int);\\n')");
like($err, refusal('no_such_timeout', 2, 'SET no_such_timeout = 0;'),
	"PostgreSQL $major: a setting no major has is refused");
is(tables('unknown'), '0', "PostgreSQL $major: and nothing is left behind");

$node->stop;
done_testing();
