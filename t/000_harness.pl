# The TAP harness can start a cluster and load the extension
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use SentryTest qw(extension_default_version);
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('harness');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sentry_fixtures');
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'sentry_fixtures'"),
	extension_default_version(),
	'extension installs in a TAP cluster');
$node->stop;
done_testing();
