# Prune never leaves the organization without an owner, on the real Sentry
# 9.1 dump and the current Sentry subset: a pruning fixture that names
# none of the owners (no admin:, no users:) is refused, plan and apply
# alike, with an error (SQLSTATE 23000) naming the owners it would remove
# and a hint, and nothing changes; one that names an owner under users:
# prunes the other owners; an organization whose remaining members own
# nothing is pruned as before.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump write_fixture rule_keys table_checksum);
use Test::More;

my %dumps = ('9.1' => sentry_dump('sentry-9.1.sql'), 'modern' => sentry_dump('sentry-modern-subset.sql'));
my $node = new_sentry_node('prune_owner', <<'CONF');
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'http://sentry.test'
CONF
my $tempdir = PostgreSQL::Test::Utils::tempdir;
my %key = rule_keys();
my $report = 'SELECT action, kind, name, id, detail FROM %s ORDER BY 1, 2, 3, 4';

# memberships as email:role, by email
my $members = q{SELECT string_agg(u.email || ':' || m.role, ',' ORDER BY u.email)
	FROM sentry_organizationmember m JOIN auth_user u ON u.id = m.user_id};

for my $version (sort keys %dumps)
{
	my $db = "sentry_$version";
	$db =~ tr/./_/;
	load_sentry_dump($node, $db, $dumps{$version}, no_owner => 1);
	my $org = $node->safe_psql($db, 'SELECT slug FROM sentry_organization ORDER BY id LIMIT 1');
	my $head = "organization: $org\nteams:\n  - name: Backend\n    projects:\n      api: http://$key{1}\@sentry.test/23\n";
	my %read;
	for my $fixture (
		[ all => "admin:\n  email: admin\@example.com\n  password: correct horse\n"
			  . "users:\n  - email: alice\@example.com\n    role: owner\n  - email: bob\@example.com\n" ],
		[ bare => "prune: true\n" ],
		[ bob_owner => "prune: true\nusers:\n  - email: bob\@example.com\n    role: owner\n" ])
	{
		my ($name, $yaml) = @$fixture;
		$read{$name} = "pg_read_file('" . write_fixture($tempdir, "$db-$name.yml", $head . $yaml) . "')";
	}
	$node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_apply($read{all})");
	is($node->safe_psql($db, $members), 'admin@example.com:owner,alice@example.com:owner,bob@example.com:member',
		"$version: two owners and a member to start from");

	# no admin: and no users: the owners would go
	my $before = table_checksum($node, $db);
	for my $function ('sentry_fixtures_plan', 'sentry_fixtures_apply')
	{
		my ($ret, $out, $err) = $node->psql($db, "\\set VERBOSITY verbose\n"
			  . sprintf($report, "$function($read{bare})"));
		isnt($ret, 0, "$version: $function of a prune naming no owner fails");
		like($err, qr/ERROR:  23000: prune would leave the organization without an owner$/m,
			"$version: $function: the error says why, with SQLSTATE 23000");
		like($err, qr/^DETAIL:  Prune would remove the memberships of all its owners, whom the fixture does not name: admin\@example.com, alice\@example.com\.$/m,
			"$version: $function: the detail names the owners");
		like($err, qr/^HINT:  Name an owner to keep under admin: or under users: with role: owner\.$/m,
			"$version: $function: the hint says how to keep one");
	}
	is(table_checksum($node, $db), $before, "$version: the refused prune changed nothing");

	# an owner named under users: the other owners go
	my ($ret, $out, $err) = $node->psql($db, sprintf($report, "sentry_fixtures_apply($read{bob_owner})"));
	is($ret, 0, "$version: a prune that names an owner succeeds") or diag($err);
	like($out, qr/^delete\|member\|admin\@example.com\|\d+\|not in the fixture/m, "$version: it removes the admin's membership");
	like($out, qr/^delete\|member\|alice\@example.com\|\d+\|not in the fixture/m, "$version: and the other owner's");
	is($node->safe_psql($db, $members), 'bob@example.com:owner', "$version: the named owner remains");

	# the only owner, singular
	($ret, $out, $err) = $node->psql($db, sprintf($report, "sentry_fixtures_apply($read{bare})"));
	isnt($ret, 0, "$version: pruning the only owner fails");
	like($err, qr/^DETAIL:  Prune would remove the membership of its only owner, bob\@example.com, whom the fixture does not name\.$/m,
		"$version: the detail names the only owner");
	is($node->safe_psql($db, $members), 'bob@example.com:owner', "$version: the only owner stays");

	# an organization whose members own nothing is pruned as before
	$node->safe_psql($db, q{UPDATE sentry_organizationmember SET role = 'member'});
	($ret, $out, $err) = $node->psql($db, sprintf($report, "sentry_fixtures_apply($read{bare})"));
	is($ret, 0, "$version: a prune removing no owner succeeds") or diag($err);
	is($node->safe_psql($db, $members), '', "$version: the membership of a user the fixture does not name goes");
}

$node->stop;
done_testing();
