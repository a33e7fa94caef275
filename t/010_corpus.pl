# A corpus of malformed fixtures, and some hostile ones made here (deep
# nesting, billion laughs, invalid UTF-8, huge scalars, many problems),
# each run through sentry_fixtures_validate() and sentry_dsn_parse(): each
# gives problem rows (with the expected message) or a clean ERROR, never a
# crash, and the server stays up.  Each corpus file starts with a line
# "# expect: <text>": a problem message must contain that text.
use strict;
use warnings;
use File::Basename;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
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
	else
	{
		ok(index($out, $expect) >= 0, "$name: problem \"$expect\" reported")
		  or diag("got:\n$out");
	}

	# the same text as a DSN: always an error, a clean one
	($rc, $out, $err) = run_sql($db,
		"SELECT * FROM sentry_dsn_parse(pg_read_file('$path'))");
	ok($rc != 0 && $err =~ /ERROR:  (invalid DSN|invalid byte sequence)/,
		"$name: DSN parse refuses it cleanly")
	  or diag($err);
	is($node->safe_psql('postgres', 'SELECT 1'), '1', "$name: server alive");
}

sub write_file
{
	my ($name, $content) = @_;
	my $path = "$tempdir/$name.yml";
	open(my $fh, '>:raw', $path) or die "could not write $path: $!";
	print $fh $content;
	close($fh);
	chmod(0644, $path);
	return $path;
}

# The corpus: each file's first line says what problem it must give
my $corpus = dirname(__FILE__) . '/corpus';
my @files = sort glob("$corpus/*.yml");
cmp_ok(scalar @files, '>=', 100, 'the corpus has at least 100 fixtures');
foreach my $file (@files)
{
	open(my $fh, '<:raw', $file) or die "could not read $file: $!";
	my $first = <$fh>;
	close($fh);
	my ($expect) = $first =~ /^# expect: (.*)$/
	  or die "$file does not start with \"# expect: \"";
	my $path = write_file(basename($file, '.yml'), do { local (@ARGV, $/) = $file; <> });
	check_fixture(basename($file), $path, $expect);
}

# Deep nesting, flow and block: stopped at the depth limit
check_fixture('deep flow nesting', write_file('deep_flow', 'teams: ' . ('[' x 1_000_000)),
	'nesting is deeper than 32 levels');
check_fixture('10,000-deep flow nesting', write_file('deep_flow_10k', 'teams: ' . ('[' x 10_000) . (']' x 10_000)),
	'nesting is deeper than 32 levels');
check_fixture('many shallow lists',
	write_file('wide_lists', 'teams: [' . join(',', ('[[]]') x 2_000_000) . "]\n"),
	qr/expected a map|expected a team|found a list/);
check_fixture('deep block nesting',
	write_file('deep_block', join('', map { ('  ' x $_) . "- \n" } 0 .. 2000)),
	'nesting is deeper than 32 levels');
check_fixture('deep map nesting',
	write_file('deep_map', join('', map { ('  ' x $_) . "k$_:\n" } 0 .. 2000)),
	'nesting is deeper than 32 levels');

# Billion laughs: never expanded, refused at the first anchor
my $laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
foreach my $i (1 .. 9)
{
	my ($prev, $cur) = (chr(ord('a') + $i - 1), chr(ord('a') + $i));
	$laughs .= "$cur: &$cur [" . join(',', ("*$prev") x 9) . "]\n";
}
$laughs .= "teams: *j\n";
check_fixture('billion laughs', write_file('laughs', $laughs), 'anchors are not allowed');

# Invalid UTF-8, fed through the SQL_ASCII database
my %bad_utf8 = (
	'invalid leading byte' => "teams:\n  - name: \xff\n",
	'invalid continuation' => "teams:\n  - name: \xc3\x28\n",
	'overlong encoding' => "teams:\n  - name: \xc0\xaf\n",
	'encoded surrogate' => "teams:\n  - name: \xed\xa0\x80\n",
	'truncated at the end' => "teams:\n  - name: \xe2\x82",
	'latin-1 text' => "organization: Soci\xe9t\xe9\n",
	'utf-16 bom' => "\xff\xfeteams: []\n",);
foreach my $name (sort keys %bad_utf8)
{
	my $path = write_file("utf8_$name", $bad_utf8{$name});
	check_fixture("$name (SQL_ASCII)", $path, qr/invalid YAML: .*(UTF-8|octet|Unicode)/i,
		db => 'sqlascii');
	# a UTF-8 database refuses the text before the parser sees it
	check_fixture("$name (UTF-8)", $path, undef,
		error_ok => qr/invalid byte sequence for encoding "UTF8"/);
}
is( $node->safe_psql('sqlascii',
		"SELECT line || ':' || col || ' ' || message FROM sentry_fixtures_validate(E'teams:\\n  - name: ab\\xff\\n')"),
	'2:13 invalid YAML: invalid leading UTF-8 octet (byte 0xff)',
	'invalid UTF-8 is placed by line and column');

# Huge scalars: refused by length, without trouble
check_fixture('huge team name',
	write_file('huge_name', "teams:\n  - name: " . ('x' x 20_000_000) . "\n"),
	'team name is longer than 64 characters');
check_fixture('huge key',
	write_file('huge_key', '? ' . ('k' x 5_000_000) . "\n: 1\n"),
	qr/unknown key "k{64}\.\.\."/);
check_fixture('huge DSN',
	write_file('huge_dsn',
		"teams:\n  - name: a\n    projects:\n      api: https://" . ('d' x 10_000_000) . "\n"),
	'DSN is longer than 2048 characters');

# Many problems: the list stops at a bound
check_fixture('many unknown keys',
	write_file('many_keys', join('', map { "k$_: 1\n" } 1 .. 200_000)),
	'too many problems; stopped after the first 1000');
check_fixture('many teams',
	write_file('many_teams', "teams:\n" . join('', map { "  - {name: t$_}\n" } 1 .. 10_001)),
	'fixture has more than 10000 teams');

# 100 MB of nested lists: larger than any fixture may be
my ($rc, $out, $err) = run_sql('postgres',
	"SELECT count(*) FROM sentry_fixtures_validate('teams: ' || repeat('[', 100 * 1024 * 1024))");
like($err, qr/ERROR:  fixture is too large/, '100 MB of nested lists: clean error');

# Larger than any fixture may be: a clean error before parsing
($rc, $out, $err) = run_sql('postgres',
	"SELECT count(*) FROM sentry_fixtures_validate(repeat('#', 64 * 1024 * 1024 + 1))");
like($err, qr/ERROR:  fixture is too large/, 'oversized fixture: clean error');

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
$node->stop;
done_testing();
