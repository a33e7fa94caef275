# The benchmark (bench/bench.py) in smoke mode: 100 projects, one run, on a
# throwaway cluster, so that it cannot rot.  It is not a timed test: only
# that it runs, prints its table, that the noop apply wrote no row, and
# that it measures the per-object approach, peak memory and PBKDF2.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_schemas new_sentry_node);
use Test::More;

# The real 9.0 dump, else the test schema the tree ships
my $schema = sentry_schemas() . '/sentry-9.0.sql';
$schema = "$FindBin::Bin/sentry9_test_schema.sql" unless -f $schema;

system('/usr/bin/python3', '-c', 'import psycopg2') == 0
  or BAIL_OUT('python3-psycopg2 is missing: run setup.sh');

my $node = new_sentry_node('bench');
my ($stdout, $stderr);
my $ok = IPC::Run::run(
	[
		'/usr/bin/python3', "$FindBin::Bin/../bench/bench.py",
		'--host', $node->host, '--port', $node->port,
		'--schema', $schema, '--smoke'
	],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'bench.py --smoke exits 0') or diag($stderr);
like($stdout, qr/^projects\s+fresh\s+noop\s+change10\s+floor\s+fresh\/floor\s+noop\/fresh\s+change10\/fresh$/m,
	'it prints the table header');
like($stdout, qr/^100(\s+\d+\.\d+){7}$/m, 'it prints a row of seconds and ratios for 100 projects');
like($stdout, qr/^rows written by noop \(all sizes\)\s+0\s+0\s+ok$/m, 'the noop apply wrote no row');
like($stdout, qr/^per-object\/fresh at 100 projects/m, 'it runs the per-object approach');
like($stdout, qr/^peak memory at 100 projects/m, 'it measures peak memory');
like($stdout, qr/^PBKDF2 1,000,000 iterations, CPU: extension \d/m, 'it measures PBKDF2');
note($stdout);

$node->stop;
done_testing();
