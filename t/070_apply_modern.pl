# sentry_fixtures_apply() on the modern Sentry subset (Django 5, silo
# tables, identity ids): the scenario of 040_apply_sentry9.pl (five project
# rules, cascade, keys, admin verified by Django, sequences, dry run,
# idempotency, invalid fixtures), plus what current Sentry needs besides:
# mapping rows, the Super Admin role, system.url-prefix read from a JSON
# option, and the project references that have no foreign key.
use strict;
use warnings;
use File::Spec;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump django_check_password
  table_checksum rule_keys rule_projects_sql rule_teams_yaml plan_then_apply apply_rows_and_writes);
use Test::More;

my $dump = sentry_dump('sentry-modern-subset.sql');

my $node = new_sentry_node('apply_modern', 'sentry_fixtures.password_iterations = 1000');

my $db = 'modern';
my %key = rule_keys();
my $stale = 'dddddddddddddddddddddddddddddddd';

# Rows hanging off the projects that the fixture will meet, one per rule;
# sentry_projectbookmark refers to projects without a foreign key, and the
# key mapping rows refer to keys without one.
my $seed = rule_projects_sql(10) . <<"SQL";
INSERT INTO sentry_option (key, last_updated, value)
  VALUES ('system.url-prefix', now(), '"http://sentry.test"');
INSERT INTO sentry_release (id, version, date_added, data, organization_id)
  VALUES (500, '1.0', now(), '{}', 1);
INSERT INTO sentry_groupedmessage (id, logger, level, message, status, times_seen, last_seen,
    first_seen, project_id, time_spent_total, time_spent_count, first_release_id) VALUES
  (500, '', 40, 'boom', 0, 1, now(), now(), 50, 0, 0, 500),
  (501, '', 40, 'other boom', 0, 1, now(), now(), 51, 0, 0, 500);
INSERT INTO sentry_environment (id, organization_id, name, date_added) VALUES (500, 1, 'production', now());
INSERT INTO sentry_environmentproject (id, environment_id, project_id) VALUES (500, 500, 50), (501, 500, 51);
INSERT INTO sentry_projectbookmark (id, user_id, date_added, project_id) VALUES
  (500, 9999, now(), 50), (501, 9999, now(), 51);
INSERT INTO sentry_projectkey (id, project_id, public_key, secret_key, roles, status, data, label) VALUES
  (500, 90, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 1, 0, '{}', 'Default'),
  (501, 51, '$key{4}', 'cccccccccccccccccccccccccccccccc', 1, 1, '{}', 'Moved'),
  (502, 50, '$stale', 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 1, 0, '{}', 'Doomed');
INSERT INTO sentry_projectkeymapping (id, project_key_id, public_key, cell_name) VALUES
  (500, 500, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '--monolith--'),
  (502, 502, '$stale', '--monolith--');
SQL

# No url_prefix: it comes from the JSON sentry_option row.
my $fixture = <<"YAML" . rule_teams_yaml();
organization: sentry
admin:
  email: Admin\@Example.com
  password: correct horse
YAML

# A second organization, created by the apply, with a project whose name
# is longer than a slug
my $long = ('a' x 49) . ' b';
my $acme = <<"YAML";
organization: Acme Corp
admin:
  email: admin\@example.com
  password: correct horse
teams:
  - name: Ops
    projects:
      $long: http://$key{9}\@sentry.test/200
YAML

sub read_fixture
{
	my ($name, $text) = @_;
	my $file = File::Spec->rel2abs($node->basedir . "/$name.yml");
	PostgreSQL::Test::Utils::append_to_file($file, $text);
	return "pg_read_file('$file')";
}

is(load_sentry_dump($node, $db, $dump, no_owner => 1), 't', 'modern subset bootstrapped');
$node->safe_psql($db, $seed);
my $read = read_fixture('fixture', $fixture);

# what the extension detects
is($node->safe_psql($db, q{SELECT string_agg(key || '=' || coalesce(value, '-'), ',' ORDER BY key)
		FROM sentry_fixtures_info() WHERE key <> 'password_iterations'
		  AND key !~ '^(level|behaviour)[.s]' AND key <> 'default_alert'}),
	"generation=modern,generation_source=django_migrations,schema=public,"
	  . "url_prefix=http://sentry.test,url_prefix_source=Sentry's option system.url-prefix",
	'sentry_fixtures_info() reports the generation and the url prefix from the JSON option');

# dry run: rows, and no trace (tables and identity sequences)
# the url prefix comes from the JSON option
my ($applied, $stderr) = plan_then_apply($node, $db, $read, '');
like($stderr, qr/WARNING:  project "y" skipped/, 'rule 5 warns');
like($stderr, qr/NOTICE:  sentry_fixtures applied: \d+ created, \d+ updated, 1 deleted, 1 skipped/,
	'a NOTICE sums the run up');
note $applied;

# rule 1: delete and recreate, with the cascade and the unconstrained references
is($node->safe_psql($db, "SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM sentry_project WHERE id IN (50, 60)"),
	'60:legacy', 'rule 1 replaced project 50 by project 60');
like($applied, qr/delete\|project\|legacy\|50\|replaced by project id 60; 5 dependent rows in 5 tables deleted, 0 references set to NULL/,
	'the delete row counts what went with the project, key mappings and the bookmark included');
is($node->safe_psql($db, q{
	SELECT (SELECT count(*) FROM sentry_groupedmessage WHERE id = 500)
	    || ',' || (SELECT count(*) FROM sentry_environmentproject WHERE id = 500)
	    || ',' || coalesce((SELECT coalesce(project_id::text, 'null') FROM sentry_projectbookmark WHERE id = 500), 'gone')
	    || ',' || (SELECT count(*) FROM sentry_projectkey WHERE id = 502)
	    || ',' || (SELECT count(*) FROM sentry_projectkeymapping WHERE project_key_id = 502)}),
	'0,0,gone,0,0', "the project's group, environment link, key, key mapping and bookmark (on_delete=CASCADE) went with it");
is($node->safe_psql($db, q{
	SELECT (SELECT count(*) FROM sentry_projectbookmark WHERE id = 501)
	    || ',' || (SELECT count(*) FROM sentry_environmentproject WHERE id = 501)
	    || ',' || (SELECT g.first_release_id || ':' || g.project_id FROM sentry_groupedmessage g WHERE g.id = 501)
	    || ',' || (SELECT count(*) FROM sentry_release WHERE id = 500)}),
	'1,1,500:51,1', "another project's bookmark, environment link and group survive, and so does the shared release");
is($node->safe_psql($db, q{SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM sentry_projectoptions WHERE project_id = 60}),
	'sentry:option-epoch=' . $node->safe_psql($db, q{SELECT value FROM sentry_projectoptions WHERE project_id = 1 AND key = 'sentry:option-epoch'}),
	'a new project gets the option epoch of a fresh install');
is($node->safe_psql($db, q{
	SELECT r.label = o.label AND r.data = o.data AND r.status = o.status AND r.source = o.source
	FROM sentry_rule r, sentry_rule o WHERE r.project_id = 60 AND o.project_id = 1}),
	't', 'a new project gets the default alert rule in its current JSON form');
is($node->safe_psql($db, q{SELECT slug || ',' || flags FROM sentry_project WHERE id = 60}),
	'legacy,10', "a new project has Sentry's default flags");

# rules 2, 3, 4, 5
is($node->safe_psql($db, 'SELECT name || \',\' || slug FROM sentry_project WHERE id = 70'),
	'new-name,new-name', 'rule 2 renamed project 70 in place');
is($node->safe_psql($db, 'SELECT name || \',\' || platform FROM sentry_project WHERE id = 100'),
	'fresh,javascript', 'rule 3 created project 100');
like($applied, qr/skip\|project\|y\|80\|/, 'rule 5 returned a skip row');
is($node->safe_psql($db, "SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM sentry_project WHERE id IN (80, 81)"),
	'80:x,81:y', 'rule 5 changed neither project');

# keys, and a mapping row for every key created or changed
is($node->safe_psql($db, q{
	SELECT string_agg(project_id || ':' || public_key || ':' || status || ':' || use_case, ',' ORDER BY project_id)
	FROM sentry_projectkey WHERE project_id IN (60, 70, 90, 100)}),
	"60:$key{1}:0:user,70:$key{2}:0:user,90:$key{3}:0:user,100:$key{4}:0:user",
	'every project has its fixture key');
is($node->safe_psql($db, "SELECT id || ',' || secret_key FROM sentry_projectkey WHERE public_key = '$key{3}'"),
	"500,$key{7}", "the project's first key took the fixture's public and secret key");
is($node->safe_psql($db, "SELECT id || ',' || secret_key FROM sentry_projectkey WHERE public_key = '$key{4}'"),
	'501,cccccccccccccccccccccccccccccccc', "a key with the fixture's public key moved, keeping its secret");
my $secrets = join '|', @key{5, 6, 7}, 'cccccccccccccccccccccccccccccccc';
unlike($applied, qr/$secrets/, 'no secret key in the report');
is($node->safe_psql($db, q{
	SELECT count(*) FILTER (WHERE m.id IS NULL) || ',' || count(*) FILTER (WHERE m.public_key IS DISTINCT FROM k.public_key)
	    || ',' || string_agg(DISTINCT m.cell_name, ',')
	FROM sentry_projectkey k LEFT JOIN sentry_projectkeymapping m ON m.project_key_id = k.id
	WHERE k.project_id IN (60, 70, 90, 100)}),
	'0,0,--monolith--', 'every key created or changed has its mapping row, with its public key and the cell');
is($node->safe_psql($db, q{SELECT count(*) FROM sentry_projectkeymapping m JOIN sentry_projectkey k ON k.id = m.project_key_id}),
	$node->safe_psql($db, q{SELECT count(*) FROM sentry_projectkeymapping}), 'no key mapping row is left without its key');

is($node->safe_psql($db, q{
	SELECT string_agg(p.name || ':' || t.name, ',' ORDER BY p.name)
	FROM sentry_projectteam pt JOIN sentry_project p ON p.id = pt.project_id JOIN sentry_team t ON t.id = pt.team_id
	WHERE p.id IN (60, 70, 90, 100)}),
	'fresh:Web,legacy:Backend,new-name:Backend,same:Backend', 'each project has exactly its fixture team');

# the admin
my ($hash, $flags, $email_unique) = split /\|/, $node->safe_psql($db,
	q{SELECT password, is_superuser AND is_staff AND is_active, email_unique FROM auth_user WHERE email = 'Admin@Example.com'});
is($flags, 't', 'the admin is an active superuser');
is($email_unique, 'admin@example.com', 'email_unique is the lowercased email');
like($hash, qr/^pbkdf2_sha256\$1000\$[A-Za-z0-9]+\$[A-Za-z0-9+\/=]+$/, 'the password is stored as Django stores it');
ok(django_check_password('correct horse', $hash), 'Django verifies the stored hash');
ok(!django_check_password('wrong horse', $hash), 'Django rejects a wrong password');
is($node->safe_psql($db, q{
	SELECT m.role || ',' || m.has_global_access || ',' || m.user_email || ',' || m.user_is_active
	    || ',' || m.invite_status || ',' || count(mt.id)
	FROM sentry_organizationmember m JOIN auth_user u ON u.id = m.user_id
	LEFT JOIN sentry_organizationmember_teams mt ON mt.organizationmember_id = m.id AND mt.is_active
	WHERE u.email = 'Admin@Example.com' GROUP BY m.id}),
	'owner,true,Admin@Example.com,true,0,2', 'the admin owns the organization, approved, with its email copied, in both teams');
is($node->safe_psql($db, q{
	SELECT mm.organization_id || ',' || mm.user_id || ',' || mm.role || ',' || mm.invite_status
	FROM sentry_organizationmembermapping mm JOIN sentry_organizationmember m ON m.id = mm.organizationmember_id
	JOIN auth_user u ON u.id = m.user_id WHERE u.email = 'Admin@Example.com'}),
	'1,' . $node->safe_psql($db, q{SELECT id FROM auth_user WHERE email = 'Admin@Example.com'}) . ',owner,0',
	"the admin's membership has its mapping row");
is($node->safe_psql($db, q{
	SELECT r.name FROM sentry_userrole r JOIN sentry_userrole_users ru ON ru.role_id = r.id
	JOIN auth_user u ON u.id = ru.user_id WHERE u.email = 'Admin@Example.com'}),
	'Super Admin', 'the admin holds the Super Admin user role');
is($node->safe_psql($db, q{SELECT count(*) FROM sentry_useremail WHERE email = 'Admin@Example.com' AND is_verified}),
	'1', "the admin's email is verified");

# identity sequences moved past the explicit ids
is($node->safe_psql($db, q{
	INSERT INTO sentry_project (name, slug, public, date_added, status, organization_id, flags)
	VALUES ('plain', 'plain', false, now(), 0, 1, 10) RETURNING id > 100}),
	't', 'a plain INSERT into sentry_project after the apply succeeds');

# idempotency: no rows, no writes
is(apply_rows_and_writes($node, $db, $read, "action <> 'skip'"), "0\n0", 'a second apply returns no rows but the skip and writes no row');

# a new organization gets its mapping row, the admin's new membership too
my $acme_read = read_fixture('acme', $acme);
my $ret;
($ret, $applied, $stderr) = $node->psql($db,
	"SELECT action, kind, name, id, detail FROM sentry_fixtures_apply($acme_read) ORDER BY 1, 2, 3, 4, 5");
is($ret, 0, 'a fixture for a new organization applies');
like($applied, qr/create\|organization\|Acme Corp\|\d+\|slug: acme-corp/, 'the organization is created');
is($node->safe_psql($db, q{
	SELECT m.slug || ',' || m.name || ',' || m.region_name || ',' || m.status || ',' || m.allow_joinleave
	    || ',' || m.verified || ',' || o.is_test || ',' || o.flags
	FROM sentry_organization o JOIN sentry_organizationmapping m ON m.organization_id = o.id
	WHERE o.slug = 'acme-corp'}),
	'acme-corp,Acme Corp,--monolith--,0,true,false,false,257', 'the new organization has its mapping row, in the existing region');
is($node->safe_psql($db, q{
	SELECT m.disable_member_project_creation || ',' || m.enhanced_privacy || ',' || m.require_2fa
	FROM sentry_organization o JOIN sentry_organizationmapping m ON m.organization_id = o.id
	WHERE o.slug = 'acme-corp'}),
	'true,false,false',
	'the new organization has member project creation disabled (flags 257), mirrored in its mapping row');
is($node->safe_psql($db, q{
	SELECT count(*) FROM sentry_organizationmember m
	JOIN sentry_organization o ON o.id = m.organization_id AND o.slug = 'acme-corp'
	JOIN sentry_organizationmembermapping mm ON mm.organizationmember_id = m.id
	    AND mm.organization_id = m.organization_id AND mm.role = 'owner' AND mm.user_id = m.user_id}),
	'1', 'the new membership has its mapping row');
is($node->safe_psql($db, q{
	SELECT m.user_email || ',' || u.email_unique FROM sentry_organizationmember m
	JOIN sentry_organization o ON o.id = m.organization_id AND o.slug = 'acme-corp'
	JOIN auth_user u ON u.id = m.user_id}),
	'Admin@Example.com,admin@example.com', "the member's email copy is the user's stored email, whatever case the fixture used");
is($node->safe_psql($db, q{SELECT slug FROM sentry_project WHERE id = 200}),
	'a' x 49, "a slug cut to 50 characters loses the '-' the cut left, as current Sentry's slugify_instance does");

# a changed membership gets its mapping row changed too
$node->safe_psql($db, q{
	UPDATE sentry_organizationmember SET role = 'member' WHERE organization_id = 1;
	UPDATE sentry_organizationmembermapping SET role = 'member' WHERE organization_id = 1;});
($ret, $applied) = $node->psql($db,
	"SELECT action, kind, detail FROM sentry_fixtures_apply($read) WHERE action <> 'skip'");
is($applied, 'update|member|role: member -> owner', 'the membership is made an owner again');
is($node->safe_psql($db, q{
	SELECT string_agg(DISTINCT mm.role, ',') FROM sentry_organizationmembermapping mm
	JOIN sentry_organizationmember m ON m.id = mm.organizationmember_id}),
	'owner', 'and its mapping row follows');

# all-digit slugs are refused by current Sentry: a fixture problem
($ret, undef, $stderr) = $node->psql($db,
	qq{SELECT * FROM sentry_fixtures_apply('teams: [{name: "2024", projects: {"007": "http://$key{1}\@sentry.test/300"}}]')});
isnt($ret, 0, 'a fixture with all-digit slugs is an error');
like($stderr, qr/all-digit slug "2024"/, 'the all-digit team slug is a problem');
like($stderr, qr/all-digit slug "007"/, 'the all-digit project slug is a problem');

# an invalid fixture changes nothing
my $before = table_checksum($node, $db);
($ret, undef, $stderr) = $node->psql($db,
	q{SELECT * FROM sentry_fixtures_apply('teams: [{name: "", projects: {a: "not a dsn"}}]')});
isnt($ret, 0, 'an invalid fixture is an error');
like($stderr, qr/ERROR:  fixture has \d+ problems?/, 'the error counts the problems');
is(table_checksum($node, $db), $before, 'an invalid fixture changes nothing');

$node->stop;
done_testing();
