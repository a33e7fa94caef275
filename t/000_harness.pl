# The TAP harness can start a cluster and load the extension
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('harness');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sentry_fixtures');
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'sentry_fixtures'"),
	'0.1', 'extension installs in a TAP cluster');
$node->stop;
done_testing();
