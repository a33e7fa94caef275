# A project key that has no secret (NULL, which both schemas allow) and a
# DSN that gives none, on the real Sentry 9.1 dump and the current Sentry
# subset: the apply reports nothing and writes nothing, and the secret
# stays NULL; when the key needs a write for another reason (inactive),
# it gets a generated secret, as ProjectKey.save() gives one, reported as
# "(generated)" by plan and apply alike, and the next apply is a no-op.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump write_fixture rule_keys apply_rows_and_writes);
use Test::More;

my %dumps = ('9.1' => sentry_dump('sentry-9.1.sql'), 'modern' => sentry_dump('sentry-modern-subset.sql'));
my $node = new_sentry_node('key_without_secret', <<'CONF');
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'http://sentry.test'
CONF
my $tempdir = PostgreSQL::Test::Utils::tempdir;
my %key = rule_keys();
my $report = 'SELECT action, kind, name, id, detail FROM %s ORDER BY 1, 2, 3, 4';
my $secret = "SELECT coalesce(secret_key, 'NULL') FROM sentry_projectkey WHERE public_key = '$key{1}'";

for my $version (sort keys %dumps)
{
	my $db = "sentry_$version";
	$db =~ tr/./_/;
	load_sentry_dump($node, $db, $dumps{$version}, no_owner => 1);
	my $org = $node->safe_psql($db, 'SELECT slug FROM sentry_organization ORDER BY id LIMIT 1');
	my $read = "pg_read_file('"
	  . write_fixture($tempdir, "$db.yml",
		"organization: $org\nteams:\n  - name: Backend\n    projects:\n      api: http://$key{1}\@sentry.test/23\n")
	  . "')";
	$node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_apply($read)");
	$node->safe_psql($db, "UPDATE sentry_projectkey SET secret_key = NULL WHERE public_key = '$key{1}'");

	is(apply_rows_and_writes($node, $db, $read), "0\n0",
		"$version: a key without a secret and a DSN without one: no report rows, no writes");
	is($node->safe_psql($db, $secret), 'NULL', "$version: the secret stays NULL");

	# written for another reason: a generated secret, as Sentry's save() gives
	$node->safe_psql($db, "UPDATE sentry_projectkey SET status = 1 WHERE public_key = '$key{1}'");
	my $planned = $node->safe_psql($db, sprintf($report, "sentry_fixtures_plan($read)"));
	my $applied = $node->safe_psql($db, sprintf($report, "sentry_fixtures_apply($read)"));
	is($applied, $planned, "$version: plan returns exactly the rows of the real run");
	like($applied, qr/^update\|project_key\|api\|\d+\|status: 1 -> 0, secret_key: \(none\) -> \(generated\)$/m,
		"$version: an inactive key without a secret is activated and given a secret");
	like($node->safe_psql($db, $secret), qr/^[0-9a-f]{32}$/, "$version: the secret is 32 hex digits");
	is(apply_rows_and_writes($node, $db, $read), "0\n0", "$version: the next apply has nothing to do");
}

$node->stop;
done_testing();
