# Memory of the users step on the real Sentry 9.1 schema: a fixture of
# 2,000 teams and 2,000 users (each in two teams, the admin in all) keeps
# the backend's peak memory (VmHWM in /proc/<pid>/status) under 256 MB
# above what the same backend used before it, on the first apply, on a
# second one that changes nothing and on one that moves every user to
# other teams; and each of them leaves exactly the team memberships the
# fixture asks for.  It is a bound, not a timing: the figures are printed
# for the record.  Under AddressSanitizer (sanitize.sh) the bound is
# skipped: its quarantine keeps up to 256 MB of freed memory resident, so
# VmHWM measures the sanitizer, not the extension.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump write_fixture);
use Test::More;

my $dump = sentry_dump('sentry-9.1.sql');
# few shared buffers, so that pages of shared memory the backend touches
# weigh little in its resident set
my $node = new_sentry_node('memory_users', <<'CONF');
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'http://sentry.test'
shared_buffers = 16MB
CONF
my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $db = 'sentry';
my ($nteams, $nusers) = (2000, 2000);
my $limit_kb = 256 * 1024;

load_sentry_dump($node, $db, $dump, no_owner => 1);
my $org = $node->safe_psql($db, 'SELECT slug FROM sentry_organization WHERE id = 1');

# user $u is in teams ($u + $shift) and ($u + $shift + 1), modulo $nteams
sub fixture
{
	my ($shift) = @_;
	my $yaml = "organization: $org\nadmin:\n  email: admin\@example.com\n  password: correct horse\nteams:\n";
	$yaml .= sprintf("  - name: team-%04d\n", $_) for 0 .. $nteams - 1;
	$yaml .= "users:\n";
	$yaml .= sprintf("  - email: user%04d\@example.com\n    teams: [team-%04d, team-%04d]\n",
		$_, ($_ + $shift) % $nteams, ($_ + $shift + 1) % $nteams)
	  for 0 .. $nusers - 1;
	return "pg_read_file('" . write_fixture($tempdir, "fixture-$shift.yml", $yaml) . "')";
}

# the team memberships as "user team" lines, and the ones fixture($shift) asks for
my $memberships = q{
	SELECT count(*), md5(string_agg(u.email || ' ' || t.name, E'\n' ORDER BY u.email, t.name))
	FROM sentry_organizationmember_teams mt
	JOIN sentry_organizationmember m ON m.id = mt.organizationmember_id
	JOIN auth_user u ON u.id = m.user_id JOIN sentry_team t ON t.id = mt.team_id
	WHERE mt.is_active};
sub wanted
{
	my ($shift) = @_;
	return $node->safe_psql($db, qq{
		WITH w(email, team) AS (
			SELECT format('user%s\@example.com', lpad(u::text, 4, '0')),
			       format('team-%s', lpad(((u + $shift + k) % $nteams)::text, 4, '0'))
			FROM generate_series(0, $nusers - 1) AS u, generate_series(0, 1) AS k
			UNION ALL
			SELECT 'admin\@example.com', format('team-%s', lpad(t::text, 4, '0'))
			FROM generate_series(0, $nteams - 1) AS t)
		SELECT count(*), md5(string_agg(email || ' ' || team, E'\n' ORDER BY email, team)) FROM w});
}

# The peak memory of one apply: VmHWM of a session of its own, after a
# small apply that loaded the extension and the catalog, then after the
# apply; returns (report rows, peak above the first figure, first figure,
# whether the backend runs under AddressSanitizer)
sub measured_apply
{
	my ($read) = @_;
	my $session = $node->background_psql($db);
	# query_safe() takes the closing NOTICE for a failure
	$session->query_safe('SET client_min_messages = warning');
	my $pid = $session->query_safe('SELECT pg_backend_pid()');
	my $hwm = sub {
		slurp_file("/proc/$pid/status") =~ /^VmHWM:\s+(\d+) kB/m or die "no VmHWM for $pid";
		return $1;
	};
	$session->query_safe("SELECT count(*) FROM sentry_fixtures_apply('organization: $org')");
	my $idle = $hwm->();
	my $rows = $session->query_safe("SELECT count(*) FROM sentry_fixtures_apply($read)");
	my $peak = $hwm->() - $idle;
	my $asan = slurp_file("/proc/$pid/maps") =~ /libasan/;
	$session->quit;
	return ($rows, $peak, $idle, $asan);
}

for my $run ([ 'first apply', 0 ], [ 'apply with nothing to do', 0 ], [ 'apply moving every user', 7 ])
{
	my ($label, $shift) = @$run;
	my ($rows, $peak, $idle, $asan) = measured_apply(fixture($shift));
	note sprintf('%s: %d report rows, peak memory %.1f MB above the %.1f MB before it',
		$label, $rows, $peak / 1024, $idle / 1024);
	SKIP:
	{
		skip "$label: the server runs under AddressSanitizer, whose quarantine VmHWM would measure", 1 if $asan;
		cmp_ok($peak, '<', $limit_kb, "$label: $nteams teams x $nusers users stays under 256 MB above idle");
	}
	is($rows, 0, "$label: no report rows") if $label eq 'apply with nothing to do';
	is($node->safe_psql($db, $memberships), wanted($shift), "$label: exactly the team memberships the fixture asks for");
}

$node->stop;
done_testing();
