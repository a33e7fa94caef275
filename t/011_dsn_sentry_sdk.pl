# sentry_dsn_parse() agrees with a real Sentry client: the DSN parser of the
# Sentry Python SDK (Debian's python3-sentry-sdk), on a set of valid DSNs.
#
# The SDK writes the path with slashes around it ("/" or "/prefix/"), where
# sentry_dsn_parse() gives "" or "/prefix", and lowercases the host; the
# comparison maps one onto the other.
use strict;
use warnings;
use IPC::Run qw(run);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $python = '/usr/bin/python3';
my $probe = system($python, '-c', 'from sentry_sdk.utils import Dsn') == 0;
if (!$probe)
{
	my $why = 'the Sentry Python SDK is missing (apt-get install python3-sentry-sdk)';
	if (($ENV{CI} // '') eq 'true')
	{
		fail($why);
		done_testing();
		exit;
	}
	plan skip_all => $why;
}

my @keys = ('0123456789abcdef0123456789abcdef', 'ffffffffffffffffffffffffffffffff',
	'00000000000000000000000000000000');
my $secret = '456789abcdef0123456789abcdef0123';
my @dsns;
foreach my $scheme ('http', 'https')
{
	foreach my $authority ('sentry.example.com', 'SENTRY.Example.com', 'localhost',
		'127.0.0.1', 'sentry.example.com:9000', 'o1.ingest.sentry.io', 'sentry_web:80',
		'sentry.example.com:443', 'sentry.example.com:1')
	{
		foreach my $path ('', '/sentry', '/a/b-c/d_e')
		{
			foreach my $id ('1', '23', '9223372036854775807')
			{
				push @dsns, "$scheme://$keys[0]\@$authority$path/$id";
				push @dsns, "$scheme://$keys[1]:$secret\@$authority$path/$id";
			}
		}
	}
}
push @dsns, "https://$keys[2]\@sentry.example.com/0042";

# What the SDK makes of each DSN: one tab-separated line
my $sdk_script = <<'PY';
import sys
from sentry_sdk.utils import Dsn
for line in sys.stdin.read().splitlines():
    d = Dsn(line)
    print("\t".join([d.scheme, d.public_key, d.secret_key or "", d.host,
                     str(d.port), d.path, d.project_id]))
PY
my ($sdk_out, $sdk_err);
run([ $python, '-c', $sdk_script ], '<', \join("\n", @dsns), '>', \$sdk_out, '2>', \$sdk_err)
  or die "the SDK failed: $sdk_err";
my @sdk = split /\n/, $sdk_out;
is(scalar @sdk, scalar @dsns, 'the SDK parsed every DSN');

my $node = PostgreSQL::Test::Cluster->new('dsn_sdk');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sentry_fixtures');

my $values = join(",\n", map { "($_, '$dsns[$_]')" } 0 .. $#dsns);
my $ours = $node->safe_psql('postgres', qq{
	SELECT concat_ws(E'\\t', p.scheme, p.public_key, coalesce(p.secret_key, ''),
		lower(p.host), p.port, p.path || '/', p.project_id)
	FROM (VALUES $values) AS d(n, dsn), LATERAL sentry_dsn_parse(d.dsn) AS p
	ORDER BY d.n});
my @ours = split /\n/, $ours;

foreach my $i (0 .. $#dsns)
{
	is($ours[$i], $sdk[$i], "agrees with the SDK: $dsns[$i]");
}

$node->stop;
done_testing();
