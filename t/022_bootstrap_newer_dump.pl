# sentry_schema_bootstrap() and dumps made by a newer pg_dump than the
# server.  pg_dump 17 and later set transaction_timeout (a setting
# PostgreSQL 17 added), right after idle_in_transaction_session_timeout.
# The test dumps a small database of its own with the server's pg_dump: on
# 17 and later that dump is such a dump and must load; on 13 to 16 the
# test adds the line where pg_dump 17 writes it, and the load must be
# refused with the error that names the setting, the server's major and
# the dump line, leaving nothing behind.  A setting that no major has is
# refused the same way on every one.  t/pg_matrix.sh runs this on 13, 17
# and 18 and the host on 15: both directions.
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

# The dump: a table with two rows, dumped by the server's own pg_dump;
# before 17 with the line pg_dump 17 adds
$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', q{CREATE TABLE probe_option (id bigserial PRIMARY KEY, key varchar(64) NOT NULL UNIQUE, value text NOT NULL);
	INSERT INTO probe_option (key, value) VALUES ('system.url-prefix', '"https://sentry.example.com"'), ('version', '"9.1.2"')});
my $own;
IPC::Run::run([ 'pg_dump', '--no-owner', '--no-privileges', '-d', $node->connstr('source') ], '>', \$own)
  or die "pg_dump failed";
my $timeout_line;
if ($has_setting)
{
	like($own, qr/^SET transaction_timeout = 0;$/m, "PostgreSQL $major: its pg_dump sets transaction_timeout");
}
else
{
	unlike($own, qr/transaction_timeout/, "PostgreSQL $major: its pg_dump does not set transaction_timeout");
	$own =~ s/^(SET idle_in_transaction_session_timeout = 0;\n)/$1SET transaction_timeout = 0;\n/m
	  or die "no idle_in_transaction_session_timeout line in the dump";
}
my @lines = split /\n/, $own;
($timeout_line) = grep { $lines[ $_ - 1 ] eq 'SET transaction_timeout = 0;' } 1 .. @lines;
my $dump = PostgreSQL::Test::Utils::tempdir . '/newer.sql';
PostgreSQL::Test::Utils::append_to_file($dump, $own);

new_database('from_17');
my ($ret, $out, $err) = $node->psql('from_17', "SELECT loaded, tables, rows FROM sentry_schema_bootstrap(pg_read_file('$dump'))");
if ($has_setting)
{
	is($ret, 0, "PostgreSQL $major: a dump that sets transaction_timeout loads") or diag($err);
	is($out, 't|1|2', "PostgreSQL $major: with its table and its rows");
	is($node->safe_psql('from_17', "SELECT value FROM probe_option WHERE key = 'system.url-prefix'"),
		'"https://sentry.example.com"', "PostgreSQL $major: the rows are the dump's");
}
else
{
	isnt($ret, 0, "PostgreSQL $major: a dump that sets transaction_timeout is refused");
	like($err, refusal('transaction_timeout', $timeout_line, 'SET transaction_timeout = 0;'),
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
