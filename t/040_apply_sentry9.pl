# sentry_fixtures_apply() on the real Sentry 9.0 and 9.1 schemas: the five
# project rules, the cascade delete (on 9.0 also through the models 9.1
# dropped, as Sentry's on_delete says, with no fallback), keys, the admin
# (verified by Django), the sequence fix, dry run, idempotency and invalid
# fixtures.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry9_dumps new_sentry_node load_sentry_dump django_check_password
  table_checksum rule_keys rule_projects_sql rule_teams_yaml plan_then_apply);
use Test::More;

my %dumps = sentry9_dumps();

my $node = new_sentry_node('apply9', 'sentry_fixtures.password_iterations = 1000');

my %key = rule_keys();

# Rows hanging off the projects that the fixture will meet, one per rule.
my $seed = rule_projects_sql(0) . <<'SQL';
INSERT INTO sentry_release (id, project_id, version, date_added, data, new_groups, organization_id)
  VALUES (500, 50, '1.0', now(), '{}', 0, 1);
INSERT INTO sentry_release_project (id, project_id, release_id) VALUES (500, 50, 500), (501, 51, 500);
INSERT INTO sentry_groupedmessage (id, logger, level, message, status, times_seen, last_seen,
    first_seen, score, project_id, time_spent_total, time_spent_count, first_release_id) VALUES
  (500, '', 40, 'boom', 0, 1, now(), now(), 0, 50, 0, 0, 500),
  (501, '', 40, 'other boom', 0, 1, now(), now(), 0, 51, 0, 0, 500);
INSERT INTO sentry_message (id, message, datetime, group_id, project_id) VALUES (500, 'boom', now(), 500, 50);
INSERT INTO sentry_activity (id, project_id, group_id, type, datetime) VALUES (500, 50, 500, 1, now());
INSERT INTO sentry_projectkey (id, project_id, public_key, secret_key, roles, status, data, label) VALUES
  (500, 90, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 1, 0, '{}', 'Default'),
  (501, 51, '00000000000000000000000000000004', 'cccccccccccccccccccccccccccccccc', 1, 1, '{}', 'Moved');
SQL

# Sentry 9.0's debug-symbol models and hash tombstones, which 9.1 dropped:
# an app and a tombstone of project 50, a debug file of project 50 that a
# version of project 51's app uses, and a version of project 50's app
my $seed_9_0 = <<'SQL';
INSERT INTO sentry_file (id, name, type, timestamp, headers) VALUES (500, 'app.dSYM', 'project.dsym', now(), '{}');
INSERT INTO sentry_projectdsymfile (id, file_id, object_name, cpu_name, project_id, uuid)
  VALUES (500, 500, 'app', 'x86_64', 50, '00000000-0000-0000-0000-000000000500');
INSERT INTO sentry_dsymapp (id, project_id, app_id, data, platform, last_synced, date_added) VALUES
  (500, 50, 'com.example.legacy', '{}', 0, now(), now()),
  (501, 51, 'com.example.other', '{}', 0, now(), now());
INSERT INTO sentry_versiondsymfile (id, dsym_file_id, dsym_app_id, version, date_added) VALUES
  (500, NULL, 500, '1.0', now()),
  (501, 500, 501, '1.0', now());
INSERT INTO sentry_grouphashtombstone (id, project_id, hash, deleted_at) VALUES (500, 50, md5('boom'), now());
SQL

# What rule 1's delete of project 50 takes with it: the seed's group, event,
# activity and release link, and on 9.0 also the app, the tombstone, the
# debug file and both versions (one by its app, one by its debug file)
my %deleted_with_50 = ('9.0' => '9 dependent rows in 8 tables', '9.1' => '4 dependent rows in 4 tables');

sub fixture
{
	my ($org) = @_;
	return <<"YAML" . rule_teams_yaml();
organization: $org
url_prefix: http://sentry.test
admin:
  email: admin\@example.com
  password: correct horse
YAML
}


for my $version (sort keys %dumps)
{
	my $db = "sentry$version";
	is(load_sentry_dump($node, $db, $dumps{$version}, no_owner => 1), 't', "$version: dump bootstrapped");
	$node->safe_psql($db, $seed);
	$node->safe_psql($db, $seed_9_0) if $version eq '9.0';
	my $org = $node->safe_psql($db, 'SELECT slug FROM sentry_organization WHERE id = 1');

	my $file = $node->basedir . "/fixture-$version.yml";
	PostgreSQL::Test::Utils::append_to_file($file, fixture($org));
	my $read = "pg_read_file('$file')";

	# dry run: rows, and no trace (tables and sequences)
	my ($applied, $stderr) = plan_then_apply($node, $db, $read, "$version: ");
	like($stderr, qr/WARNING:  project "y" skipped/, "$version: rule 5 warns");
	like($stderr, qr/NOTICE:  sentry_fixtures applied: \d+ created, \d+ updated, 1 deleted, 1 skipped/,
		"$version: a NOTICE sums the run up");
	note $applied;

	# rule 1: delete and recreate, with the cascade
	is($node->safe_psql($db, "SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM sentry_project WHERE id IN (50, 60)"),
		'60:legacy', "$version: rule 1 replaced project 50 by project 60");
	# Sentry leaves a release's legacy project_id as it is (no field, no
	# deletion task), so nothing is set to NULL
	like($applied, qr/^delete\|project\|legacy\|50\|replaced by project id 60; $deleted_with_50{$version} deleted, 0 references set to NULL$/m,
		"$version: the delete row counts what went with the project, every reference known to Sentry's on_delete table");
	unlike($stderr, qr/fallback/, "$version: no reference needed the fallback (no NOTICE)");
	is($node->safe_psql($db, q{
		SELECT (SELECT count(*) FROM sentry_groupedmessage WHERE id = 500)
		    || ',' || (SELECT count(*) FROM sentry_message WHERE id = 500)
		    || ',' || (SELECT count(*) FROM sentry_activity WHERE id = 500)
		    || ',' || (SELECT count(*) FROM sentry_release_project WHERE id = 500)}),
		'0,0,0,0', "$version: the project's group, event, activity and release link went with it");
	if ($version eq '9.0')
	{
		is($node->safe_psql($db, q{
			SELECT (SELECT string_agg(id::text, ',' ORDER BY id) FROM sentry_dsymapp WHERE id >= 500)
			    || '/' || (SELECT count(*) FROM sentry_versiondsymfile WHERE id >= 500)
			    || '/' || (SELECT count(*) FROM sentry_projectdsymfile WHERE id = 500)
			    || '/' || (SELECT count(*) FROM sentry_grouphashtombstone WHERE id = 500)
			    || '/' || (SELECT count(*) FROM sentry_file WHERE id = 500)}),
			'501/0/0/0/1', '9.0: the app, tombstone and debug file went with the project, the versions with their app or debug file (CASCADE), the other project\'s app and the file stayed');
	}
	is($node->safe_psql($db, q{
		SELECT coalesce(r.project_id::text, 'null') || ',' || g.first_release_id || ',' || g.project_id
		FROM sentry_release r, sentry_groupedmessage g WHERE r.id = 500 AND g.id = 501}),
		'50,500,51', "$version: the shared release survives as Sentry leaves it, the other project's group untouched");
	is($node->safe_psql($db, 'SELECT count(*) FROM sentry_rule WHERE project_id = 60')
		  . ',' . $node->safe_psql($db, 'SELECT count(*) FROM sentry_savedsearch WHERE project_id = 60'),
		'1,5', "$version: a new project gets the default rule and five saved searches");
	is($node->safe_psql($db, q{SELECT data = (SELECT data FROM sentry_rule WHERE project_id = 1) FROM sentry_rule WHERE project_id = 60}),
		't', "$version: the rule's data is what Sentry itself stored");

	# rules 2, 3, 4, 5
	is($node->safe_psql($db, q{SELECT name || ',' || slug FROM sentry_project WHERE id = 70}),
		'new-name,new-name', "$version: rule 2 renamed project 70 in place");
	is($node->safe_psql($db, q{SELECT name || ',' || platform FROM sentry_project WHERE id = 100}),
		'fresh,javascript', "$version: rule 3 created project 100");
	like($applied, qr/skip\|project\|y\|80\|/, "$version: rule 5 returned a skip row");
	is($node->safe_psql($db, "SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM sentry_project WHERE id IN (80, 81)"),
		'80:x,81:y', "$version: rule 5 changed neither project");

	# keys and teams
	is($node->safe_psql($db, q{
		SELECT string_agg(project_id || ':' || public_key || ':' || status, ',' ORDER BY project_id)
		FROM sentry_projectkey WHERE project_id IN (60, 70, 90, 100)}),
		"60:$key{1}:0,70:$key{2}:0,90:$key{3}:0,100:$key{4}:0", "$version: every project has its fixture key");
	is($node->safe_psql($db, "SELECT id || ',' || secret_key FROM sentry_projectkey WHERE public_key = '$key{3}'"),
		"500,$key{7}", "$version: the project's first key took the fixture's public and secret key");
	is($node->safe_psql($db, "SELECT id || ',' || secret_key FROM sentry_projectkey WHERE public_key = '$key{4}'"),
		'501,cccccccccccccccccccccccccccccccc', "$version: a key with the fixture's public key moved, keeping its secret");
	my $secrets = join '|', @key{5, 6, 7}, 'cccccccccccccccccccccccccccccccc';
	unlike($applied, qr/$secrets/, "$version: no secret key in the report");
	is($node->safe_psql($db, q{
		SELECT string_agg(p.name || ':' || t.name, ',' ORDER BY p.name)
		FROM sentry_projectteam pt JOIN sentry_project p ON p.id = pt.project_id JOIN sentry_team t ON t.id = pt.team_id
		WHERE p.id IN (60, 70, 90, 100)}),
		'fresh:Web,legacy:Backend,new-name:Backend,same:Backend', "$version: each project has exactly its fixture team");

	# the admin
	my ($hash, $flags) = split /\|/, $node->safe_psql($db,
		q{SELECT password, is_superuser AND is_staff AND is_active FROM auth_user WHERE email = 'admin@example.com'});
	is($flags, 't', "$version: the admin is an active superuser");
	like($hash, qr/^pbkdf2_sha256\$1000\$[A-Za-z0-9]+\$[A-Za-z0-9+\/=]+$/, "$version: the password is stored as Django stores it");
	ok(django_check_password('correct horse', $hash), "$version: Django verifies the stored hash");
	ok(!django_check_password('wrong horse', $hash), "$version: Django rejects a wrong password");
	is($node->safe_psql($db, q{
		SELECT m.role || ',' || m.has_global_access || ',' || count(mt.id)
		FROM sentry_organizationmember m JOIN auth_user u ON u.id = m.user_id
		LEFT JOIN sentry_organizationmember_teams mt ON mt.organizationmember_id = m.id AND mt.is_active
		WHERE u.email = 'admin@example.com' GROUP BY m.id}),
		'owner,true,2', "$version: the admin owns the organization and is in both teams");
	is($node->safe_psql($db, q{SELECT count(*) FROM sentry_useremail WHERE email = 'admin@example.com' AND is_verified}),
		'1', "$version: the admin's email is verified");

	# sequences moved past the explicit ids
	is($node->safe_psql($db, q{
		INSERT INTO sentry_project (name, slug, public, date_added, status, organization_id, flags)
		VALUES ('plain', 'plain', false, now(), 0, 1, 0) RETURNING id > 100}),
		't', "$version: a plain INSERT into sentry_project after the apply succeeds");

	# idempotency: no rows but rule 5's skip, no writes
	is($node->safe_psql($db, qq{
		BEGIN;
		SELECT string_agg(action || ' ' || name, ',') FROM sentry_fixtures_apply($read);
		SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables;
		COMMIT;}),
		"skip y\n0", "$version: a second apply returns only the skip and writes no row");

	# an invalid fixture changes nothing
	my $before = table_checksum($node, $db);
	my $ret;
	($ret, undef, $stderr) = $node->psql($db,
		q{SELECT * FROM sentry_fixtures_apply('teams: [{name: "", projects: {a: "not a dsn"}}]')});
	isnt($ret, 0, "$version: an invalid fixture is an error");
	like($stderr, qr/ERROR:  fixture has \d+ problems?/, "$version: the error counts the problems");
	is(table_checksum($node, $db), $before, "$version: an invalid fixture changes nothing");
}

$node->stop;
done_testing();
