# sentry_schema_bootstrap() on real Sentry dumps: the database it makes is
# the one psql -f makes, owners and privileges can be left out, and a
# truncated dump is refused with the line at fault and nothing left behind.
use strict;
use FindBin;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use lib $FindBin::Bin;
use SentryTest qw(schema_of sentry_schemas);

my $schemas = sentry_schemas();
my %dump = map { $_ => "$schemas/sentry-$_.sql" } qw(9.0 9.1 modern-subset);
my @missing = grep { !-r $_ } sort values %dump;
if (@missing)
{
	my $why = "Sentry dumps not readable in $schemas (set SENTRY_SCHEMAS): @missing";
	plan skip_all => $why unless ($ENV{CI} // '') eq 'true';
	fail($why);
	done_testing();
	exit;
}

my $node = PostgreSQL::Test::Cluster->new('bootstrap');
$node->init;
$node->start;

# A literal for SQL text
sub quote_literal
{
	my ($text) = @_;
	$text =~ s/'/''/g;
	return "'$text'";
}

# A new database with the extension in it
sub new_database
{
	my ($name) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $name");
	$node->safe_psql($name, 'CREATE EXTENSION sentry_fixtures');
	return $name;
}

# loaded|tables|rows of sentry_schema_bootstrap() on a file of the server
sub bootstrap
{
	my ($db, $file, $options) = @_;
	$options = defined $options ? ", $options" : '';
	return $node->safe_psql($db,
		'SELECT loaded, tables, rows FROM sentry_schema_bootstrap(pg_read_file('
		  . quote_literal($file) . ")$options)");
}

# The same dump loaded the ordinary way
sub psql_file
{
	my ($db, $file) = @_;
	$node->command_ok(
		[ 'psql', '-X', '-q', '-o', '/dev/null', '-v', 'ON_ERROR_STOP=1',
		  '-d', $node->connstr($db), '-f', $file ],
		"psql -f loads $file into $db");
}

# The row count of every table in public, one "table|count" line each
sub row_counts
{
	my ($db) = @_;
	return $node->safe_psql($db, q{
		SELECT c.relname || '|' || (xpath('/row/n/text()',
			query_to_xml(format('SELECT count(*) AS n FROM public.%I', c.relname),
						 false, true, '')))[1]::text
		FROM pg_class c
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
		ORDER BY c.relname});
}

sub public_tables
{
	my ($db) = @_;
	return $node->safe_psql($db,
		"SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'");
}

# Loaded by bootstrap and by psql -f: the same schema, the same rows
sub same_as_psql
{
	my ($booted, $by_psql, $what) = @_;
	is(schema_of($node, $booted), schema_of($node, $by_psql),
		"$what: pg_dump --schema-only is the same as after psql -f");
	is(row_counts($booted), row_counts($by_psql),
		"$what: every table has as many rows as after psql -f");
}

# A copy of the first $count lines of a dump, for a cut dump
sub write_head
{
	my ($file, $count, $name) = @_;
	my @lines = split(/^/m, slurp_file($file));
	my $cut = $node->basedir . "/$name";
	open(my $fh, '>', $cut) or die "could not write $cut: $!";
	print $fh @lines[ 0 .. $count - 1 ];
	close($fh);
	return $cut;
}

# The 1-based number of the first line of $file matching $re after line $from
sub line_matching
{
	my ($file, $re, $from) = @_;
	my @lines = split(/^/m, slurp_file($file));
	for my $i (($from // 0) .. $#lines)
	{
		return $i + 1 if $lines[$i] =~ $re;
	}
	die "no line of $file matches $re";
}

#
# sentry-9.0.sql: INSERTs, $$ function bodies, extensions, no owners
#
new_database('boot90');
new_database('psql90');
is(bootstrap('boot90', $dump{'9.0'}), 't|137|972', '9.0 loads: 137 tables, 972 rows');
psql_file('psql90', $dump{'9.0'});
same_as_psql('boot90', 'psql90', '9.0');

my ($ret, $stdout, $stderr) = $node->psql('boot90',
	'SELECT loaded, tables, rows FROM sentry_schema_bootstrap(pg_read_file('
	  . quote_literal($dump{'9.0'}) . '))');
is($stdout, 'f|137|0', 'a second call loads nothing');
like($stderr, qr/schema "public" already has 137 tables; the dump was not loaded/,
	'a second call says why');
same_as_psql('boot90', 'psql90', '9.0 after a second call');

# The dump named by sentry_fixtures.schema_dump
new_database('file90');
is($node->safe_psql('file90',
		'SET sentry_fixtures.schema_dump = ' . quote_literal($dump{'9.0'}) . ';'
		  . ' SELECT loaded, tables, rows FROM sentry_schema_bootstrap()'),
	't|137|972', '9.0 loads from sentry_fixtures.schema_dump');

#
# sentry-9.1.sql: COPY blocks, owners and privileges of a role "sentry"
#
new_database('nosentry91');
is(bootstrap('nosentry91', $dump{'9.1'}, 'no_owner => true'),
	't|153|1099', '9.1 loads without a sentry role with no_owner: grants to missing roles are skipped');
is($node->safe_psql('nosentry91',
		"SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
		  . ' AND relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)'),
	'0', 'every relation belongs to the caller');

$node->safe_psql('postgres', 'CREATE ROLE sentry');
new_database('boot91');
new_database('psql91');
is(bootstrap('boot91', $dump{'9.1'}), 't|153|1099', '9.1 loads with its owners');
psql_file('psql91', $dump{'9.1'});
same_as_psql('boot91', 'psql91', '9.1');
is(row_counts('nosentry91'), row_counts('boot91'),
	'9.1 without owners and privileges has the same rows');

#
# sentry-modern-subset.sql: identity columns, pg_dump 15 output
#
new_database('modern');
like(bootstrap('modern', $dump{'modern-subset'}), qr/^t\|26\|[1-9]\d*$/,
	'the modern subset loads its 26 tables and rows');

#
# Truncated dumps: the error names the line, and nothing is left behind
#
my $copy_line = line_matching($dump{'9.1'}, qr/^COPY public\.south_migrationhistory /);
my $cut_copy = write_head($dump{'9.1'}, $copy_line + 3, 'cut-in-copy.sql');
new_database('cutcopy');
($ret, $stdout, $stderr) = $node->psql('cutcopy',
	'SELECT * FROM sentry_schema_bootstrap(pg_read_file(' . quote_literal($cut_copy) . '))');
like($stderr,
	qr/dump ends inside the data of a COPY statement.*rows that start at line ${\($copy_line + 1)}\..*dump line $copy_line: COPY public\.south_migrationhistory /s,
	'a dump cut inside a COPY block names the COPY line');
is(public_tables('cutcopy'), '0', 'the dump cut inside a COPY block left no table');

my $function_line = line_matching($dump{'9.0'}, qr/^CREATE FUNCTION /);
my $body_line = line_matching($dump{'9.0'}, qr/\$\$/, $function_line - 1);
my $cut_body = write_head($dump{'9.0'}, $body_line + 1, 'cut-in-dollar-quote.sql');
new_database('cutbody');
($ret, $stdout, $stderr) = $node->psql('cutbody',
	'SELECT * FROM sentry_schema_bootstrap(pg_read_file(' . quote_literal($cut_body) . '))');
like($stderr,
	qr/dump ends inside a dollar-quoted string.*starts at line $body_line .*dump line $function_line: CREATE FUNCTION /s,
	'a dump cut inside a dollar quote names the statement');
is(public_tables('cutbody'), '0', 'the dump cut inside a dollar quote left no table');

# A copy of a dump with line $number (1-based) changed by $edit
sub write_edited
{
	my ($file, $number, $edit, $name) = @_;
	my @lines = split(/^/m, slurp_file($file));
	local $_ = $lines[ $number - 1 ];
	$edit->();
	$lines[ $number - 1 ] = $_;
	my $path = $node->basedir . "/$name";
	open(my $fh, '>', $path) or die "could not write $path: $!";
	print $fh @lines;
	close($fh);
	return $path;
}

# COPY rows with a column too many or too few: COPY's own error, with the
# dump line of the COPY statement and of the row, not the row's content
# (COPY's own context, which quotes it, is left out); no table left
my %bad_rows = (
	'a column too many' => [ sub { s/\n$/\textra\n/ }, qr/extra data after last expected column/ ],
	'a column too few' => [ sub { s/\t[^\t]*\n$/\n/ }, qr/missing data for column "applied"/ ],);
foreach my $case (sort keys %bad_rows)
{
	my ($edit, $error) = @{ $bad_rows{$case} };
	my $path = write_edited($dump{'9.1'}, $copy_line + 2, $edit, 'bad-row.sql');
	my $db = new_database('badrow' . length($case));
	($ret, $stdout, $stderr) = $node->psql($db,
		'SELECT * FROM sentry_schema_bootstrap(pg_read_file(' . quote_literal($path) . '), no_owner => true)');
	like($stderr,
		qr/$error\nCONTEXT:  dump line $copy_line: COPY public\.south_migrationhistory .*\(row at line ${\($copy_line + 2)}\)$/s,
		"COPY row with $case: COPY's error, the dump's line of the statement and of the row");
	unlike($stderr, qr/COPY south_migrationhistory, line|0002_auto/,
		"COPY row with $case: the row is not quoted");
	is(public_tables($db), '0', "COPY row with $case: no table left");
}

# Cut inside a CREATE TABLE statement
my $table_line = line_matching($dump{'9.0'}, qr/^CREATE TABLE public\.sentry_project /);
my $cut_statement = write_head($dump{'9.0'}, $table_line + 2, 'cut-in-statement.sql');
new_database('cutstatement');
($ret, $stdout, $stderr) = $node->psql('cutstatement',
	'SELECT * FROM sentry_schema_bootstrap(pg_read_file(' . quote_literal($cut_statement) . '), no_owner => true)');
like($stderr,
	qr/dump ends inside a statement.*starts at line $table_line has no terminating semicolon.*dump line $table_line: CREATE TABLE public\.sentry_project /s,
	'a dump cut inside a statement names its line');
is(public_tables('cutstatement'), '0', 'the dump cut inside a statement left no table');

$node->stop;
done_testing();
