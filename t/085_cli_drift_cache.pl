# sentry-fixtures for CI and for a running Sentry, on the current Sentry
# subset:
# - plan --detailed-exitcode exits 0 when nothing would change, 2 when
#   changes are pending, 3 when entries would be skipped, 1 on an error;
# - --format json prints the report rows as JSON lines and nothing else
#   on stdout, on plan and apply, with no secret in them;
# - after an apply, the Redis entries relayconfig:<public key> of the keys
#   it created, changed or deleted are gone from a real
#   redis-server (password, database 3), the other entries are untouched;
#   a no-op deletes nothing; SENTRY_REDIS_* give the default; without a
#   Redis the entries are printed; an unreachable Redis is a warning with
#   exit status 4, and the apply stands; init --format json keeps its
#   step lines off stdout.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump write_fixture);
use Test::More;

my $dump = sentry_dump('sentry-modern-subset.sql');
if (!-x '/usr/bin/redis-server' || !-x '/usr/bin/redis-cli')
{
	BAIL_OUT('redis-server is missing: CI must have it (setup.sh installs it)')
	  if ($ENV{CI} // '') eq 'true';
	plan skip_all => 'redis-server is not installed (setup.sh installs it)';
}

my $cli = "$FindBin::Bin/../sentry-fixtures";
my $node = new_sentry_node('cli_drift', <<'CONF');
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'http://sentry.test'
sentry_fixtures.organization = 'sentry'
CONF
my $db = 'sentry';
load_sentry_dump($node, $db, $dump, no_owner => 1);
my $dir = PostgreSQL::Test::Utils::tempdir;

# A real redis-server on a free loopback port, with a password
my $redis_port = PostgreSQL::Test::Cluster::get_free_port();
my $redis_password = 'r3dis:p@ss';
my $redis = IPC::Run::start([ '/usr/bin/redis-server', '--port', $redis_port, '--bind', '127.0.0.1',
		'--save', '', '--appendonly', 'no', '--requirepass', $redis_password, '--dir', $dir ],
	'>', "$dir/redis.log", '2>&1');
sub redis
{
	my (@command) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ '/usr/bin/redis-cli', '-h', '127.0.0.1', '-p', $redis_port, '-n', 3, '--no-auth-warning',
			'-a', $redis_password, @command ], '<', \undef, '>', \$out, '2>', \$err);
	chomp $out;
	return $out;
}
for (1 .. 100) { last if redis('PING') eq 'PONG'; select(undef, undef, undef, 0.1); }
is(redis('PING'), 'PONG', 'redis-server is up');
my $redis_url = 'redis://:' . ($redis_password =~ s/([:@])/sprintf('%%%02X', ord($1))/ger) . "\@127.0.0.1:$redis_port/3";

my %k = map { $_ => sprintf('%032x', 0xcafe00 + $_) } 1 .. 9;
my $secret = 'feedfacefeedfacefeedfacefeedface';

# storefront with two keys, api with one; $api_extra adds a key to api
sub fixture
{
	my (%o) = @_;
	my $yaml = "organization: sentry\n";
	$yaml .= "prune: true\n" if $o{prune};
	$yaml .= <<"YAML";
admin:
  email: admin\@example.com
  password: correct horse
teams:
  - name: Web
    projects:
      - name: storefront
        keys:
          - label: Default
            dsn: http://$k{1}:$secret\@sentry.test/35
YAML
	$yaml .= "          - label: Browser\n            dsn: http://$k{2}\@sentry.test/35\n" unless $o{prune};
	$yaml .= $o{rotate} ? "            active: false\n" : '' unless $o{prune};
	$yaml .= "      - name: api\n        dsn: http://$k{3}\@sentry.test/36\n";
	$yaml .= "        keys:\n          - label: New\n            dsn: http://$k{4}\@sentry.test/36\n" if $o{add};
	$yaml .= "      - name: y\n        dsn: http://$k{5}\@sentry.test/77\n" if $o{skip};
	return write_fixture($dir, "f$o{n}.yml", $yaml);
}

# Run the command against the node; %$env adds variables; returns the exit
# status, stdout and stderr.
sub cli
{
	my ($env, @args) = @_;
	local %ENV = %ENV;
	$ENV{PGHOST} = $node->host;
	$ENV{PGPORT} = $node->port;
	$ENV{PGDATABASE} = $db;
	delete @ENV{ grep { /^SENTRY_|^DATABASE_URL$|^PGUSER$|^PGPASSWORD$/ } keys %ENV };
	@ENV{ keys %$env } = values %$env;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $cli, @args ], '<', \undef, '>', \$out, '2>', \$err);
	note "sentry-fixtures @args: exit " . ($? >> 8) . "\n$out$err";
	return ($? >> 8, $out, $err);
}

# Every stdout line is a JSON object with the report's five keys
sub json_rows
{
	my ($out) = @_;
	my @rows;
	for my $line (split /\n/, $out)
	{
		my $row = eval { decode_json($line) };
		return undef unless ref $row eq 'HASH' && join(',', sort keys %$row) eq 'action,detail,id,kind,name';
		push @rows, $row;
	}
	return \@rows;
}

my $first = fixture(n => 1);
my ($status, $out, $err) = cli({}, 'plan', $first, '--detailed-exitcode');
is($status, 2, 'plan --detailed-exitcode exits 2 when changes are pending');

($status, $out, $err) = cli({}, 'plan', $first, '--format', 'json');
my $rows = json_rows($out);
ok($rows && @$rows > 3, 'plan --format json prints the report rows as JSON lines, and nothing else');
ok(scalar(grep { $_->{kind} eq 'project_key' && $_->{action} eq 'create' } @$rows) == 3,
	'the JSON rows are the report rows: three keys to create');
unlike($out, qr/$secret|correct horse/, 'no secret in the JSON lines');

# the first apply, with Redis: entries of every new key go (Sentry caches
# "no such key" too), the others stay
redis('SET', "relayconfig:$_", '{"disabled": true}') for map { $k{$_} } 1 .. 5;
redis('SET', 'relayconfig:unrelated', 'x');
redis('SET', "relayconfig:$k{1}.rev", 'r1');
($status, $out, $err) = cli({}, 'apply', $first, '--redis', $redis_url, '--format', 'json');
is($status, 0, 'apply --redis exits 0');
$rows = json_rows($out);
ok($rows && @$rows > 3, 'apply --format json prints the report rows as JSON lines');
like($err, qr/^cache: deleted 3 of 3 entries in Redis 127\.0\.0\.1:$redis_port\/3: /m,
	'and says on stderr which cache entries it deleted');
is(join(',', map { redis('EXISTS', "relayconfig:$k{$_}") } 1 .. 5), '0,0,0,1,1',
	'the entries of the created keys are gone, the others stay');
is(redis('GET', 'relayconfig:unrelated') . ',' . redis('GET', "relayconfig:$k{1}.rev"), 'x,r1',
	'nothing else in Redis is touched');
unlike("$out$err", qr/\Q$redis_password\E|p%40ss/, 'the Redis password is never printed');

($status, $out, $err) = cli({}, 'plan', $first, '--detailed-exitcode');
is($status, 0, 'plan --detailed-exitcode exits 0 when nothing would change');

# a no-op deletes nothing
redis('SET', "relayconfig:$k{$_}", 'cached') for 1 .. 3;
($status, $out, $err) = cli({}, 'apply', $first, '--redis', $redis_url);
is($status, 0, 'a second apply exits 0');
unlike($out, qr/^cache:/m, 'a no-op apply has no cache line');
is(join(',', map { redis('EXISTS', "relayconfig:$k{$_}") } 1 .. 3), '1,1,1', 'a no-op apply deletes nothing');

# a key changed, a key added, through SENTRY_REDIS_*; then a key pruned
my %sentry_redis = (SENTRY_REDIS_HOST => '127.0.0.1', SENTRY_REDIS_PORT => $redis_port,
	SENTRY_REDIS_DB => 3, SENTRY_REDIS_PASSWORD => $redis_password);
($status, $out, $err) = cli(\%sentry_redis, 'apply', fixture(n => 2, rotate => 1, add => 1));
is($status, 0, 'apply with SENTRY_REDIS_* exits 0');
like($out, qr/^cache: deleted 2 of 2 entries in Redis 127\.0\.0\.1:$redis_port\/3: relayconfig:@{[ $k{2} ]} relayconfig:@{[ $k{4} ]}$/m,
	'SENTRY_REDIS_* give the default Redis; the changed and the new key are invalidated');
is(join(',', map { redis('EXISTS', "relayconfig:$k{$_}") } 1 .. 3), '1,0,1', 'the unchanged keys keep their entries');

redis('SET', "relayconfig:$k{2}", 'cached');
($status, $out, $err) = cli(\%sentry_redis, 'apply', fixture(n => 3, prune => 1, add => 1));
like($out, qr/^cache: deleted 1 of 1 entries in Redis [^:]+:\d+\/3: relayconfig:@{[ $k{2} ]}$/m,
	'a pruned key is invalidated');
is(redis('EXISTS', "relayconfig:$k{2}"), '0', 'its entry is gone');

# no Redis: the entries to delete are printed
($status, $out, $err) = cli({}, 'apply', fixture(n => 4, prune => 1));
is($status, 0, 'apply without a Redis exits 0');
like($out, qr/^cache: relayconfig:@{[ $k{4} ]} not invalidated \(no --redis and no SENTRY_REDIS_HOST\)/m,
	'without a Redis, the entries to invalidate are printed');

# an unreachable Redis: a warning, exit status 4, the apply stands
my $closed = PostgreSQL::Test::Cluster::get_free_port();
($status, $out, $err) = cli({}, 'apply', fixture(n => 5, add => 1), '--redis', "redis://127.0.0.1:$closed");
is($status, 4, 'an unreachable Redis exits 4');
like($err, qr/warning: could not delete the cache entries in Redis 127\.0\.0\.1:$closed\/0 .*the apply stands; delete [^\n]*relayconfig:@{[ $k{4} ]} by hand/,
	'with a warning naming the entries');
is($node->safe_psql($db, "SELECT count(*) FROM sentry_projectkey WHERE public_key = '$k{4}'"), '1',
	'and the apply is committed');
($status, $out, $err) = cli({}, 'apply', fixture(n => 6, prune => 1), '--redis', "redis://:wrong\@127.0.0.1:$redis_port/3");
is($status, 4, 'a Redis refusing the password exits 4 too');

# skips and errors: project y's id 77 is project other's, and y is 78
$node->safe_psql($db, q{INSERT INTO sentry_project (id, name, slug, public, date_added, status, organization_id, flags)
	SELECT p.id, p.name, p.name, false, now(), 0, o.id, 0 FROM sentry_organization AS o,
	(VALUES (77, 'other'), (78, 'y')) AS p(id, name) WHERE o.slug = 'sentry'});
($status, $out, $err) = cli({}, 'plan', fixture(n => 7, skip => 1), '--detailed-exitcode');
is($status, 3, 'plan --detailed-exitcode exits 3 when entries would be skipped');
($status, $out, $err) = cli({}, 'plan', fixture(n => 7, skip => 1));
is($status, 2, 'without --detailed-exitcode a skip keeps exit status 2');
($status, $out, $err) = cli({}, 'plan', write_fixture($dir, 'bad.yml', "teams: [{name: ''}]\n"), '--detailed-exitcode');
is($status, 1, 'plan --detailed-exitcode exits 1 on an error');
($status, $out, $err) = cli({}, 'validate', $first, '--detailed-exitcode');
is($status, 1, '--detailed-exitcode is refused outside plan');
like($err, qr/--detailed-exitcode is for plan/, 'with a message');

# init with JSON lines: its steps go to stderr, stdout holds only JSON
($status, $out, $err) = cli({}, 'init', '--fixtures', fixture(n => 8, add => 1), '--format', 'json', '--wait', '5');
is($status, 0, 'init --format json exits 0');
ok(defined json_rows($out) && $out =~ /"kind" ?: ?"project_key"/, 'init --format json prints only JSON lines on stdout');
like($err, qr/^server: accepting connections$/m, 'and its steps on stderr');

$redis->kill_kill;
done_testing();
