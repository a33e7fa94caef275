# sentry_dsn_parse() agrees with a real Sentry client: the DSN parser of the
# Sentry Python SDK (Debian's python3-sentry-sdk), on a set of valid DSNs;
# and every DSN of a set of odd ones that the SDK refuses, sentry_dsn_parse()
# refuses too (it is stricter: it also refuses some that the SDK reads,
# such as a negative project id).
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

# Odd DSNs: whichever the SDK refuses must be refused here too.  The SDK
# refuses those marked 1; the others it reads, leniently.
my $k = $keys[0];
my @odd = (
	[ "https://$k\@sentry.example.com/23/", 1 ],
	[ "https://$k\@sentry.example.com/a/b/23/", 1 ],
	[ "https://$k:$secret\@sentry.example.com/23/", 1 ],
	[ "https://$k\@sentry.example.com/", 1 ],
	[ "https://$k\@sentry.example.com", 1 ],
	[ "https://$k\@sentry.example.com/abc", 1 ],
	[ "https://$k\@sentry.example.com/1.5", 1 ],
	[ "https://$k\@sentry.example.com/23/x", 1 ],
	[ "https://$k\@sentry.example.com/%32%33", 1 ],
	[ "https://$k\@sentry.example.com/ ", 1 ],
	[ "https://$k\@sentry.example.com:99999/1", 1 ],
	[ "https://$k\@sentry.example.com:-1/1", 1 ],
	[ "https://$k\@sentry.example.com:abc/1", 1 ],
	[ "https://$k\@/1", 1 ],
	[ "https://$k\@:9000/1", 1 ],
	[ "https://sentry.example.com/1", 1 ],
	[ "https://\@sentry.example.com/1", 1 ],
	[ "ftp://$k\@sentry.example.com/1", 1 ],
	[ "//$k\@sentry.example.com/1", 1 ],
	[ "", 1 ],
	[ "https://$k\@sentry.example.com/-1", 0 ],
	[ "https://$k\@sentry.example.com/0", 0 ],
	[ "https://$k\@sentry.example.com/1_0", 0 ],
	[ "https://$k\@sentry.example.com/ 23", 0 ],
	[ "https://$k\@sentry.example.com/23?x=1", 0 ],
	[ "https://$k\@sentry.example.com/23#top", 0 ],
	[ "https://$k\@sentry.example.com//23", 0 ],
	[ "https://$k\@sentry.example.com:0/23", 0 ],
	[ "https://$k\@sentry.example.com:/23", 0 ],
	[ "https://$k\@[::1]/23", 0 ],
	[ "HTTPS://$k\@sentry.example.com/23", 0 ],
	[ "https://$k:\@sentry.example.com/23", 0 ],
	[ "https://ABC\@sentry.example.com/23", 0 ],);

my $refuse_script = <<'PY';
import sys
from sentry_sdk.utils import Dsn
for line in sys.stdin.read().split("\0"):
    try:
        Dsn(line)
        print("reads")
    except Exception:
        print("refuses")
PY
run([ $python, '-c', $refuse_script ], '<', \join("\0", map { $_->[0] } @odd),
	'>', \$sdk_out, '2>', \$sdk_err)
  or die "the SDK failed: $sdk_err";
my @sdk_verdicts = split /\n/, $sdk_out;

$node->safe_psql('postgres', q{
	CREATE FUNCTION dsn_refused(dsn text) RETURNS boolean LANGUAGE plpgsql AS $$
	BEGIN
		PERFORM sentry_dsn_parse(dsn);
		RETURN false;
	EXCEPTION WHEN invalid_text_representation THEN
		RETURN true;
	END $$});
foreach my $i (0 .. $#odd)
{
	my ($dsn, $sdk_refuses) = @{ $odd[$i] };
	(my $shown = $dsn) =~ s/$k/<key>/g;
	is($sdk_verdicts[$i], $sdk_refuses ? 'refuses' : 'reads',
		"the SDK " . ($sdk_refuses ? 'refuses' : 'reads') . " \"$shown\"");
	next unless $sdk_verdicts[$i] eq 'refuses';
	(my $literal = $dsn) =~ s/'/''/g;
	is($node->safe_psql('postgres', "SELECT dsn_refused('$literal')"), 't',
		"refused as the SDK refuses it: \"$shown\"");
}

$node->stop;
done_testing();
