# A corpus of malformed fixtures, and some hostile ones made here (deep
# nesting, billion laughs, invalid UTF-8, huge scalars, many problems),
# each run through sentry_fixtures_validate(), sentry_dsn_parse() and
# sentry_fixtures_apply(): validation gives problem rows (with the expected
# message) or a clean ERROR, the DSN parser and the apply a clean ERROR,
# never a crash; the server stays up, and a checksum of every table and
# sequence of the Sentry database the applies run against is the same
# after each case as before the first.  Each corpus file starts with a
# line "# expect: <text>": a problem message must contain that text; and
# a line "# at: <path> <line>:<col>": that problem must point there.  The
# corpus and the inputs made here are at least 200 cases.  In the corpus
# files that hold the word "Summer2024pass", it stands for a secret (a
# password, a DSN's key): neither the problems nor the apply's error may
# show it.
# (How long each case takes, and how much memory, is measured by
# bench/corpus.sh.)
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use HostileFixtures qw(hostile_fixtures);
use SentryTest qw(sequence_values table_checksum write_fixture);
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('corpus');
$node->init;
$node->append_conf('postgresql.conf',
	"sentry_fixtures.url_prefix = 'https://sentry.example.com'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sentry_fixtures');
# invalid UTF-8 can only reach the parser from a database that does not
# check encodings
$node->safe_psql('postgres',
	"CREATE DATABASE sqlascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
$node->safe_psql('sqlascii', 'CREATE EXTENSION sentry_fixtures');

my $tempdir = PostgreSQL::Test::Utils::tempdir;

# The Sentry 9 test schema, in both databases, with a fixture applied, so
# that an apply that wrote anything before refusing would show
my $start_fixture = write_fixture($tempdir, 'start.yml', <<'YML');
organization: Practo
url_prefix: https://sentry.example.com
admin:
  email: admin@example.com
  password_hash: pbkdf2_sha256$1000$abcdefghijklmnopqrstuv$0123456789abcdefghijklmnopqrstuvwxyzABCDEFG=
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210@sentry.example.com/2
YML
my %sentry_state;
foreach my $db ('postgres', 'sqlascii')
{
	$node->safe_psql($db,
		"SELECT loaded FROM sentry_schema_bootstrap(pg_read_file('$FindBin::Bin/sentry9_test_schema.sql'))");
	$node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$start_fixture'))");
	$sentry_state{$db} = table_checksum($node, $db) . sequence_values($node, $db);
}

# Run sql; return (ok, stdout, stderr).  A statement may fail cleanly; the
# server must still answer afterwards.
sub run_sql
{
	my ($db, $sql) = @_;
	my ($stdout, $stderr);
	my $rc = $node->psql($db, $sql, stdout => \$stdout, stderr => \$stderr,
		on_error_stop => 1);
	return ($rc, $stdout // '', $stderr // '');
}

# The fixture in $path must give a problem containing $expect (or, when
# $expect is a regexp ref, matching it), or a clean ERROR matching
# $error_ok when that is given.
sub check_fixture
{
	my ($name, $path, $expect, %opts) = @_;
	my $db = $opts{db} // 'postgres';
	my ($rc, $out, $err) = run_sql($db,
		"SELECT string_agg(format('%s %s:%s %s', path, line, col, message), E'\\n') "
		  . "FROM sentry_fixtures_validate(pg_read_file('$path'))");

	if ($rc != 0)
	{
		like($err, $opts{error_ok} // qr/^$/, "$name: clean error") or diag($err);
	}
	elsif (ref $expect)
	{
		like($out, $expect, "$name: problem reported") or diag($out);
	}
	elsif (defined $opts{at})
	{
		# "<path> <line>:<col>", or "<line>:<col>" at the root, whose path is ""
		my ($at_path, $at_place) = $opts{at} =~ /^(?:(.*) )?(\d+:\d+)$/
		  or die "$name: malformed \"# at:\" line";
		my $at = ($at_path // '') . " $at_place";
		like($out, qr/^\Q$at\E .*\Q$expect\E/m,
			"$name: problem \"$expect\" reported at $opts{at}")
		  or diag("got:\n$out");
	}
	else
	{
		ok(index($out, $expect) >= 0, "$name: problem \"$expect\" reported")
		  or diag("got:\n$out");
	}

	if (defined $opts{secret})
	{
		unlike($out . $err, qr/\Q$opts{secret}\E/, "$name: no problem shows the secret");
	}

	# the same text as a DSN: always an error, a clean one
	($rc, $out, $err) = run_sql($db,
		"SELECT * FROM sentry_dsn_parse(pg_read_file('$path'))");
	ok($rc != 0 && $err =~ /ERROR:  (invalid DSN|invalid byte sequence)/,
		"$name: DSN parse refuses it cleanly")
	  or diag($err);

	$err = check_apply_refused($name, "pg_read_file('$path')", $db);
	unlike($err, qr/\Q$opts{secret}\E/, "$name: the apply's error does not show the secret")
	  if defined $opts{secret};
}

# The fixture text that the SQL expression $text gives, applied to the
# Sentry database $db: refused with a clean ERROR, nothing changed, and the
# server still up
sub check_apply_refused
{
	my ($name, $text, $db) = @_;
	my ($rc, $out, $err) = run_sql($db,
		"SELECT count(*) FROM sentry_fixtures_apply($text)");
	ok($rc != 0 && $err =~ /^psql:<stdin>:\d+: ERROR:  \S/m, "$name: apply refuses it cleanly")
	  or diag($err);
	is(table_checksum($node, $db) . sequence_values($node, $db), $sentry_state{$db},
		"$name: every Sentry table and sequence is as it was");
	is($node->safe_psql('postgres', 'SELECT 1'), '1', "$name: server alive");
	return $err;
}

# The corpus and the hostile inputs made with it
my @cases = hostile_fixtures($tempdir);
cmp_ok(scalar(grep { $_->{corpus} } @cases), '>=', 100, 'the corpus has at least 100 fixtures');
cmp_ok(scalar(@cases), '>=', 200, 'the corpus and the inputs made here are at least 200 cases');
foreach my $case (@cases)
{
	check_fixture($case->{name}, $case->{path}, $case->{expect},
		db => $case->{db} eq 'sqlascii' ? 'sqlascii' : 'postgres',
		error_ok => $case->{error_ok}, at => $case->{at}, secret => $case->{secret});
}
is( $node->safe_psql('sqlascii',
		"SELECT line || ':' || col || ' ' || message FROM sentry_fixtures_validate(E'teams:\\n  - name: ab\\xff\\n')"),
	'2:13 invalid YAML: invalid leading UTF-8 octet (byte 0xff)',
	'invalid UTF-8 is placed by line and column');

# 100 MB of nested lists: larger than any fixture may be
my ($rc, $out, $err) = run_sql('postgres',
	"SELECT count(*) FROM sentry_fixtures_validate('teams: ' || repeat('[', 100 * 1024 * 1024))");
like($err, qr/ERROR:  fixture is too large/, '100 MB of nested lists: clean error');
check_apply_refused('100 MB of nested lists', "'teams: ' || repeat('[', 100 * 1024 * 1024)", 'postgres');

# Larger than any fixture may be: a clean error before parsing
($rc, $out, $err) = run_sql('postgres',
	"SELECT count(*) FROM sentry_fixtures_validate(repeat('#', 64 * 1024 * 1024 + 1))");
like($err, qr/ERROR:  fixture is too large/, 'oversized fixture: clean error');
check_apply_refused('oversized fixture', "repeat('#', 64 * 1024 * 1024 + 1)", 'postgres');

# Malformed DSNs given directly
foreach my $dsn ('', 'https://', 'https://@/', 'https://:@:/', '://x', "https://\xc3\xa9\@h/1",
	'https://' . ('a' x 100_000) . '@h/1', 'https://0123456789abcdef0123456789abcdef@h:' . ('9' x 1000) . '/1',
	'https://0123456789abcdef0123456789abcdef@h/' . ('9' x 1000),
	'https://0123456789abcdef0123456789abcdef@' . ('h' x 100_000) . '/1/x')
{
	my $shown = length($dsn) > 60 ? substr($dsn, 0, 60) . '...' : $dsn;
	($rc, $out, $err) = run_sql('postgres',
		"SELECT * FROM sentry_dsn_parse(\$dsn\$$dsn\$dsn\$)");
	like($err, qr/ERROR:  invalid DSN: /, "DSN \"$shown\": clean error");
}

is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server alive at the end');
unlike(slurp_file($node->logfile), qr/Summer2024pass/, 'the server log shows no secret of the corpus');
$node->stop;
done_testing();
