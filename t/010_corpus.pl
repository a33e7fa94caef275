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
# bench/run.sh --corpus.)
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use HostileFixtures qw(hostile_fixtures);
use SentryTest qw(SEQUENCE_VALUES_QUERY table_checksum_query write_fixture);
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
  password_hash: pbkdf2_sha256$1000$abcdefghijklmnopqrstuv$0123456789abcdefghijklmnopqrstuvwxyzABCDEFE=
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210@sentry.example.com/2
YML
my (%sentry_state, %state_query);
foreach my $db ('postgres', 'sqlascii')
{
	$node->safe_psql($db,
		"SELECT loaded FROM sentry_schema_bootstrap(pg_read_file('$FindBin::Bin/sentry9_test_schema.sql'))");
	$node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$start_fixture'))");
	# one statement: the checksum of every table and the value of every sequence
	$state_query{$db} = 'SELECT (' . table_checksum_query($node, $db) . ') || (' . SEQUENCE_VALUES_QUERY . ')';
	$sentry_state{$db} = $node->safe_psql($db, $state_query{$db});
}

# Split psql's output $text at the marker lines run_statements puts in;
# the text of each of $count statements
sub split_at_markers
{
	my ($text, $count) = @_;
	my @parts = ('') x $count;
	my $current;
	foreach my $line (split /\n/, $text // '')
	{
		if ($line =~ /^\@\@ (\d+|end)$/)
		{
			$current = $1 eq 'end' ? undef : $1;
		}
		elsif (defined $current)
		{
			$parts[$current] .= "$line\n";
		}
	}
	chomp @parts;
	return @parts;
}

# Run each of @statements on $db, all through one psql that goes on after
# an error (one client per case keeps the suite quick); return one
# { out, err, failed } per statement.  A statement may fail cleanly; a
# crash shows as a failed "SELECT 1" after it.
sub run_statements
{
	my ($db, @statements) = @_;
	my $script = '';
	foreach my $i (0 .. $#statements)
	{
		$script .= "\\echo '\@\@ $i'\n\\warn '\@\@ $i'\n$statements[$i];\n";
	}
	$script .= "\\echo '\@\@ end'\n\\warn '\@\@ end'\n";
	my ($stdout, $stderr);
	$node->psql($db, $script, stdout => \$stdout, stderr => \$stderr, on_error_stop => 0);
	my @out = split_at_markers($stdout, scalar @statements);
	my @err = split_at_markers($stderr, scalar @statements);
	return map {
		{
			out => $out[$_],
			err => $err[$_],
			failed => $err[$_] =~ /^psql:<stdin>:\d+: (?:ERROR|FATAL):|server closed the connection|connection to server was lost/m,
		}
	} 0 .. $#statements;
}

# The fixture in $path must give a problem containing $expect (or, when
# $expect is a regexp ref, matching it), or a clean ERROR matching
# $error_ok when that is given.
sub check_fixture
{
	my ($name, $path, $expect, %opts) = @_;
	my $db = $opts{db} // 'postgres';
	my ($validate, $dsn, @apply) = run_statements($db,
		"SELECT string_agg(format('%s %s:%s %s', path, line, col, message), E'\\n') "
		  . "FROM sentry_fixtures_validate(pg_read_file('$path'))",
		# the same text as a DSN: always an error, a clean one
		"SELECT * FROM sentry_dsn_parse(pg_read_file('$path'))",
		apply_statements("pg_read_file('$path')", $db));
	my ($out, $err) = ($validate->{out}, $validate->{err});

	if ($validate->{failed})
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

	ok($dsn->{failed} && $dsn->{err} =~ /ERROR:  (invalid DSN|invalid byte sequence)/,
		"$name: DSN parse refuses it cleanly")
	  or diag($dsn->{err});

	$err = check_apply_refused($name, $db, @apply);
	unlike($err, qr/\Q$opts{secret}\E/, "$name: the apply's error does not show the secret")
	  if defined $opts{secret};
}

# The statements check_apply_refused checks: the apply of the fixture text
# that the SQL expression $text gives, then the state of $db, then whether
# the server is up
sub apply_statements
{
	my ($text, $db) = @_;
	return ("SELECT count(*) FROM sentry_fixtures_apply($text)", $state_query{$db}, 'SELECT 1');
}

# The results of apply_statements: the apply refused with a clean ERROR,
# nothing changed in the Sentry database $db, and the server still up.
# Returns the apply's error.
sub check_apply_refused
{
	my ($name, $db, $apply, $state, $alive) = @_;
	ok($apply->{failed} && $apply->{err} =~ /^psql:<stdin>:\d+: ERROR:  \S/m, "$name: apply refuses it cleanly")
	  or diag($apply->{err});
	is($state->{out}, $sentry_state{$db}, "$name: every Sentry table and sequence is as it was");
	is($alive->{out}, '1', "$name: server alive");
	return $apply->{err};
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
my $nested = "'teams: ' || repeat('[', 100 * 1024 * 1024)";
my ($validate, @apply) = run_statements('postgres',
	"SELECT count(*) FROM sentry_fixtures_validate($nested)", apply_statements($nested, 'postgres'));
like($validate->{err}, qr/ERROR:  fixture is too large/, '100 MB of nested lists: clean error');
check_apply_refused('100 MB of nested lists', 'postgres', @apply);

# Larger than any fixture may be: a clean error before parsing
my $oversized = "repeat('#', 64 * 1024 * 1024 + 1)";
($validate, @apply) = run_statements('postgres',
	"SELECT count(*) FROM sentry_fixtures_validate($oversized)", apply_statements($oversized, 'postgres'));
like($validate->{err}, qr/ERROR:  fixture is too large/, 'oversized fixture: clean error');
check_apply_refused('oversized fixture', 'postgres', @apply);

# Malformed DSNs given directly
my @dsns = ('', 'https://', 'https://@/', 'https://:@:/', '://x', "https://\xc3\xa9\@h/1",
	'https://' . ('a' x 100_000) . '@h/1', 'https://0123456789abcdef0123456789abcdef@h:' . ('9' x 1000) . '/1',
	'https://0123456789abcdef0123456789abcdef@h/' . ('9' x 1000),
	'https://0123456789abcdef0123456789abcdef@' . ('h' x 100_000) . '/1/x');
my @parsed = run_statements('postgres', map { "SELECT * FROM sentry_dsn_parse(\$dsn\$$_\$dsn\$)" } @dsns);
foreach my $i (0 .. $#dsns)
{
	my $shown = length($dsns[$i]) > 60 ? substr($dsns[$i], 0, 60) . '...' : $dsns[$i];
	like($parsed[$i]{err}, qr/ERROR:  invalid DSN: /, "DSN \"$shown\": clean error");
}

is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server alive at the end');
unlike(slurp_file($node->logfile), qr/Summer2024pass/, 'the server log shows no secret of the corpus');
$node->stop;
done_testing();
