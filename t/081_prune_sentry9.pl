# Prune on the real Sentry 9.0 and 9.1 schemas: teams, projects and keys
# the fixture does not name are deleted (projects with what depends on
# them), Sentry's internal project and its team stay, plan shows exactly
# what apply deletes, and without prune nothing is deleted.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry9_dumps new_sentry_node load_sentry_dump table_checksum rule_keys apply_rows_and_writes);
use Test::More;

my %dumps = sentry9_dumps();

my $node = new_sentry_node('prune9', 'sentry_fixtures.password_iterations = 1000');

my %key = rule_keys();

sub fixture
{
	my ($org, $prune, @teams) = @_;
	my %projects = (
		Backend => "      api: http://$key{1}\@sentry.test/23\n      worker: http://$key{2}\@sentry.test/24\n",
		Web => "      shop: http://$key{3}\@sentry.test/25\n",
		Old => "      legacy: http://$key{4}\@sentry.test/26\n");
	my $yaml = "organization: $org\nurl_prefix: http://sentry.test\n";
	$yaml .= "prune: true\n" if $prune;
	$yaml .= "teams:\n";
	$yaml .= "  - name: $_\n    projects:\n$projects{$_}" for @teams;
	return $yaml;
}

# A group and an event on project 25, an extra key on project 23
my $seed = <<"SQL";
INSERT INTO sentry_groupedmessage (id, logger, level, message, status, times_seen, last_seen,
    first_seen, score, project_id, time_spent_total, time_spent_count)
  VALUES (700, '', 40, 'boom', 0, 1, now(), now(), 0, 25, 0, 0);
INSERT INTO sentry_message (id, message, datetime, group_id, project_id) VALUES (700, 'boom', now(), 700, 25);
INSERT INTO sentry_projectkey (id, project_id, public_key, secret_key, roles, status, data, label)
  VALUES (700, 23, '$key{9}', '$key{8}', 1, 0, '{}', 'Extra');
SQL

sub write_file
{
	my ($name, $text) = @_;
	my $file = $node->basedir . "/$name";
	PostgreSQL::Test::Utils::append_to_file($file, $text);
	return "pg_read_file('$file')";
}

my $report = 'SELECT action, kind, name, id, detail FROM %s ORDER BY 1, 2, 3, 4';

for my $version (sort keys %dumps)
{
	my $db = "sentry$version";
	is(load_sentry_dump($node, $db, $dumps{$version}, no_owner => 1), 't', "$version: dump bootstrapped");
	my $org = $node->safe_psql($db, 'SELECT slug FROM sentry_organization WHERE id = 1');

	my $all = write_file("all-$version.yml", fixture($org, 0, qw(Backend Web Old)));
	my $kept = write_file("kept-$version.yml", fixture($org, 0, qw(Backend)));
	my $pruning = write_file("pruning-$version.yml", fixture($org, 1, qw(Backend)));
	$node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_apply($all)");
	$node->safe_psql($db, $seed);

	# without prune, a smaller fixture deletes nothing
	my $rows = $node->safe_psql($db, sprintf($report, "sentry_fixtures_plan($kept)"));
	unlike($rows, qr/^delete/m, "$version: without prune nothing is deleted");

	# plan with the fixture's prune key: exactly what apply will do, and no trace
	my $before = table_checksum($node, $db);
	my $planned = $node->safe_psql($db, sprintf($report, "sentry_fixtures_plan($pruning)"));
	is(table_checksum($node, $db), $before, "$version: a pruning plan leaves every table as it was");
	my $dry = $node->safe_psql($db, sprintf($report, "sentry_fixtures_apply($kept, dry_run => true, prune => true)"));
	is($dry, $planned, "$version: prune => true plans the same as the fixture's prune: true");
	note $planned;

	like($planned, qr/^delete\|project\|shop\|25\|not in the fixture; [1-9]\d* dependent rows in [1-9]\d* tables deleted/m,
		"$version: the plan counts what goes with a pruned project");
	like($planned, qr/^delete\|project\|legacy\|26\|/m, "$version: a project of a dropped team is pruned");
	unlike($planned, qr/\|worker\|/, "$version: a project the fixture names stays");
	like($planned, qr/^delete\|project_key\|api\|700\|public_key: ${\$key{9}}; not in the fixture/m,
		"$version: a key other than the fixture's is pruned");
	like($planned, qr/^delete\|team\|Old\|/m, "$version: a team dropped from the fixture is pruned");
	unlike($planned, qr/\|internal\||\|Internal\||\|Sentry\|/i, "$version: the internal project and its team stay");

	my ($ret, $applied, $stderr) = $node->psql($db, sprintf($report, "sentry_fixtures_apply($pruning)"));
	is($ret, 0, "$version: the pruning apply succeeds");
	is($applied, $planned, "$version: apply deletes exactly what plan showed");
	like($stderr, qr/NOTICE:  sentry_fixtures applied: 0 created, 0 updated, 5 deleted/, "$version: the NOTICE counts the deletes");

	is($node->safe_psql($db, q{SELECT string_agg(slug, ',' ORDER BY id) FROM sentry_project}),
		'internal,api,worker', "$version: the internal project and the fixture's projects remain");
	is($node->safe_psql($db, q{SELECT string_agg(name, ',' ORDER BY name) FROM sentry_team}),
		'Backend,Sentry', "$version: the fixture's team and the internal project's team remain");
	is($node->safe_psql($db, q{SELECT count(*) FROM sentry_groupedmessage WHERE id = 700}),
		'0', "$version: the pruned project's group went with it");
	is($node->safe_psql($db, q{SELECT string_agg(public_key, ',') FROM sentry_projectkey WHERE project_id = 23}),
		$key{1}, "$version: the managed project keeps only the fixture's key");

	is(apply_rows_and_writes($node, $db, $pruning), "0\n0",
		"$version: pruning again returns no rows and writes none");
}

$node->stop;
done_testing();
