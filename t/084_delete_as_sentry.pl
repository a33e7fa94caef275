# Deleting as Sentry deletes, on Sentry 9.1 and on current Sentry (the
# full reconstruction): rule 1 replaces project 40 by id 400, then prune
# drops a project, a team and a membership.  Asserts, on both generations:
# - a user option and a bookmark of the project go with it (CASCADE in
#   Sentry's models), and so do its groups, hashes and events; on current
#   Sentry its workflow-engine detector too;
# - a table that is not Sentry's with a look-alike project_id column is
#   left untouched; one with a real foreign key into the project stops the
#   apply with an error naming the table and constraint, nothing changed;
# - on current Sentry, a SET_NULL reference (onboarding task, rule owner
#   team) is set to NULL, a PROTECT one (code owners of another project
#   using the project's path config) refuses the delete, naming the table,
#   column and rows; a foreign key of a Sentry-named table that Sentry's
#   on_delete table does not list is handled by the fallback, with a NOTICE
#   and in the delete row's detail;
# - the rows of the other projects and of the other organization are the
#   same before and after (checksums), and the plan reports what the real
#   run does.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump table_checksum rule_keys
  write_fixture plan_then_apply);
use Test::More;

my %dumps = ('9.1' => sentry_dump('sentry-9.1.sql'), 'current' => sentry_dump('sentry-current-full.sql'));
my $node = new_sentry_node('delete_as_sentry', <<'CONF');
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'http://sentry.test'
CONF
my $tempdir = PostgreSQL::Test::Utils::tempdir;
my %key = rule_keys();

# pg_temp.put(table, values): insert one row, the NOT NULL columns that
# have no default and are not given filled with a neutral value by type
my $put = <<'SQL';
CREATE FUNCTION pg_temp.put(tbl regclass, vals jsonb) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
	filled jsonb := '{}';
	r record;
BEGIN
	FOR r IN SELECT a.attname, t.typcategory, a.atttypid FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
			 WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
			   AND NOT a.atthasdef AND a.attidentity = ''
	LOOP
		filled := filled || jsonb_build_object(r.attname,
			CASE WHEN r.atttypid IN ('json'::regtype, 'jsonb'::regtype) THEN '{}'::jsonb
				 WHEN r.typcategory = 'N' THEN to_jsonb(0)
				 WHEN r.typcategory = 'B' THEN to_jsonb(false)
				 WHEN r.typcategory = 'D' THEN to_jsonb(now())
				 WHEN r.typcategory = 'A' THEN '[]'::jsonb
				 WHEN r.atttypid = 'uuid'::regtype THEN to_jsonb(gen_random_uuid())
				 ELSE to_jsonb(''::text) END);
	END LOOP;
	filled := filled || vals;
	EXECUTE format('INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM jsonb_populate_record(NULL::%s, $1)',
				   tbl, (SELECT string_agg(quote_ident(k), ', ') FROM jsonb_object_keys(filled) AS k),
				   (SELECT string_agg(quote_ident(k), ', ') FROM jsonb_object_keys(filled) AS k), tbl)
		USING filled;
END
$fn$;
SQL

# The organization's fixture: project "doomed" with id $doomed; without
# $prune, project "old" in team Old and user bob in it too
sub fixture
{
	my ($org, $doomed, $prune) = @_;
	my $yaml = "organization: $org\n" . ($prune ? "prune: true\n" : '') . <<"YAML";
admin:
  email: admin\@example.com
  password: correct horse
teams:
  - name: Backend
    projects:
      doomed: http://$key{1}\@sentry.test/$doomed
      kept: http://$key{2}\@sentry.test/41
YAML
	$yaml .= <<"YAML" unless $prune;
  - name: Old
    projects:
      old: http://$key{3}\@sentry.test/43
users:
  - email: bob\@example.com
    teams: [Old]
YAML
	return $yaml;
}

# md5 of the rows of projects 41 and 42 and of organization 2 in every
# table with such a column, but those the apply itself writes for kept
# projects (their keys, teams and options are reconciled, not deleted),
# the test's own sentry_futuremodel, and the tables in @skip
sub others_checksum
{
	my ($db, @skip) = @_;
	my $skip = join(', ', map { "'$_'" } 'sentry_projectkey', 'sentry_projectteam', 'sentry_projectoptions',
		'sentry_projectkeymapping', 'sentry_futuremodel', @skip);
	return $node->safe_psql($db, <<"SQL");
CREATE FUNCTION pg_temp.run_text(q text) RETURNS text LANGUAGE plpgsql AS \$fn\$
DECLARE r text;
BEGIN EXECUTE q INTO r; RETURN r; END
\$fn\$;
SELECT md5(string_agg(pg_temp.run_text(q), ',' ORDER BY q)) FROM (
  SELECT format('SELECT %L || md5(coalesce(string_agg(t::text, '','' ORDER BY t::text), '''')) FROM %I t WHERE %I IN (%s)',
                c.relname || '.' || a.attname, c.relname, a.attname,
                CASE a.attname WHEN 'project_id' THEN '41, 42' ELSE '2' END) AS q
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
    AND a.attname IN ('project_id', 'organization_id') AND NOT a.attisdropped
    AND c.relname NOT IN ($skip)) AS s;
SQL
}

for my $generation (sort keys %dumps)
{
	my $db = "g$generation";
	$db =~ s/\W/_/g;
	my $current = $generation eq 'current';
	load_sentry_dump($node, $db, $dumps{$generation}, no_owner => 1);
	my $org = $node->safe_psql($db, 'SELECT slug FROM sentry_organization WHERE id = 1');
	my %read = map {
		my ($name, $doomed, $prune) = @$_;
		($name => "pg_read_file('" . write_fixture($tempdir, "$db-$name.yml", fixture($org, $doomed, $prune)) . "')")
	} (['first', 40, 0], ['replace', 400, 0], ['prune', 400, 1]);

	$node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_apply($read{first})");
	my $user = $node->safe_psql($db, q{SELECT id FROM auth_user WHERE email = 'admin@example.com'});
	my $bob_member = $node->safe_psql($db, q{
		SELECT m.id FROM sentry_organizationmember m JOIN auth_user u ON u.id = m.user_id
		WHERE u.email = 'bob@example.com'});
	my $old_team = $node->safe_psql($db, q{SELECT id FROM sentry_team WHERE name = 'Old'});

	# What hangs off the projects: of 40 (to go), 41 and 42 (another
	# organization), and the tables that are not Sentry's
	my $seed = $put . <<"SQL";
SELECT pg_temp.put('sentry_organization', '{"id": 2, "name": "Other", "slug": "other"}');
INSERT INTO sentry_project (id, name, slug, public, date_added, status, organization_id, flags)
  OVERRIDING SYSTEM VALUE VALUES (42, 'elsewhere', 'elsewhere', false, now(), 0, 2, 0);
SELECT pg_temp.put('sentry_useroption', '{"id": 900, "user_id": $user, "project_id": 40, "key": "workflow:notifications", "value": "0"}');
SELECT pg_temp.put('sentry_useroption', '{"id": 901, "user_id": $user, "project_id": 41, "key": "workflow:notifications", "value": "0"}');
SELECT pg_temp.put('sentry_projectbookmark', '{"id": 900, "user_id": $user, "project_id": 40}');
SELECT pg_temp.put('sentry_projectbookmark', '{"id": 901, "user_id": $user, "project_id": 41}');
SELECT pg_temp.put('sentry_groupedmessage', format('{"id": %s, "project_id": %s, "message": "boom"}', g, p)::jsonb)
  FROM (VALUES (900, 40), (901, 41), (902, 42)) AS v(g, p);
SELECT pg_temp.put('sentry_grouphash', format('{"id": %s, "project_id": %s, "group_id": %s, "hash": "%s"}', g, p, g, md5(g::text))::jsonb)
  FROM (VALUES (900, 40), (901, 41), (902, 42)) AS v(g, p);
SELECT pg_temp.put('sentry_organizationaccessrequest', '{"id": 900, "team_id": $old_team, "member_id": $bob_member}');
CREATE TABLE public.billing_usage (id serial PRIMARY KEY, project_id bigint NOT NULL, amount int);
INSERT INTO public.billing_usage (project_id, amount) VALUES (40, 10), (41, 20), (43, 30);
SQL
	$seed .= $current ? <<"SQL" : <<"SQL";
SELECT pg_temp.put('workflow_engine_detector', format('{"id": %s, "project_id": %s, "name": "Error Monitor", "type": "error"}', d, p)::jsonb)
  FROM (VALUES (900, 40), (901, 41)) AS v(d, p);
SELECT pg_temp.put('sentry_organizationonboardingtask', '{"id": 900, "organization_id": 1, "project_id": 40, "task": 1, "status": 1}');
SELECT pg_temp.put('sentry_rule', '{"id": 900, "project_id": 41, "label": "owned by Old", "owner_team_id": $old_team}');
CREATE TABLE public.sentry_futuremodel (id bigserial PRIMARY KEY,
  project_id bigint NOT NULL REFERENCES sentry_project DEFERRABLE INITIALLY DEFERRED,
  other_project_id bigint REFERENCES sentry_project DEFERRABLE INITIALLY DEFERRED);
INSERT INTO public.sentry_futuremodel (project_id, other_project_id) VALUES (40, NULL), (41, 40);
SQL
SELECT pg_temp.put('sentry_message', '{"id": 900, "project_id": 40, "group_id": 900, "message": "boom"}');
SELECT pg_temp.put('sentry_file', '{"id": 900, "name": "app.dSYM", "type": "project.dsym"}');
SELECT pg_temp.put('sentry_projectdsymfile', '{"id": 900, "project_id": 40, "file_id": 900, "object_name": "app"}');
SQL
	$node->safe_psql($db, $seed);

	# PROTECT: code owners of project 41 use a path config of project 40
	if ($current)
	{
		$node->safe_psql($db, $put . <<'SQL');
SELECT pg_temp.put('sentry_repository', '{"id": 900, "organization_id": 1, "name": "repo"}');
SELECT pg_temp.put('sentry_projectrepository', '{"id": 900, "project_id": 40, "repository_id": 900}');
SELECT pg_temp.put('sentry_repositoryprojectpathconfig', '{"id": 900, "project_repository_id": 900, "organization_id": 1, "organization_integration_id": 1, "integration_id": 1}');
SELECT pg_temp.put('sentry_projectcodeowners', '{"id": 900, "project_id": 41, "repository_project_path_config_id": 900}');
SQL
		my $before = table_checksum($node, $db);
		my ($ret, $out, $err) = $node->psql($db, "SELECT count(*) FROM sentry_fixtures_apply($read{replace})");
		isnt($ret, 0, "$generation: a PROTECT reference refuses the delete");
		like($err, qr/ERROR:  cannot delete rows of table public.sentry_repositoryprojectpathconfig: 1 rows of table public.sentry_projectcodeowners refer to them through column repository_project_path_config_id\n.*on_delete=PROTECT/s,
			"$generation: the error names the table, column and rows");
		is(table_checksum($node, $db), $before, "$generation: the refused apply changed nothing");
		$node->safe_psql($db, 'DELETE FROM sentry_projectcodeowners WHERE id = 900');
	}

	# A table that is not Sentry's, with a real foreign key into project 40
	$node->safe_psql($db, <<'SQL');
CREATE TABLE public.billing_invoice (id serial PRIMARY KEY,
  project_id bigint NOT NULL CONSTRAINT billing_invoice_project REFERENCES sentry_project DEFERRABLE INITIALLY DEFERRED);
INSERT INTO public.billing_invoice (project_id) VALUES (40), (41);
SQL
	my $before = table_checksum($node, $db);
	my ($ret, $out, $err) = $node->psql($db, "SELECT count(*) FROM sentry_fixtures_apply($read{replace})");
	isnt($ret, 0, "$generation: a foreign key from a table not Sentry's stops the apply");
	like($err, qr/ERROR:  cannot delete rows of table public.sentry_project: table public.billing_invoice, which is not Sentry's, refers to them\nDETAIL:  Foreign key billing_invoice_project of table public.billing_invoice refers to 1 of the rows to delete/,
		"$generation: the error names the table and its constraint");
	is(table_checksum($node, $db), $before, "$generation: the stopped apply changed nothing");
	$node->safe_psql($db, 'DELETE FROM public.billing_invoice WHERE project_id = 40');

	# rule 1, planned then applied
	my $others = others_checksum($db);
	my ($applied, $stderr) = plan_then_apply($node, $db, $read{replace}, "$generation: ");
	my ($delete) = $applied =~ /^(delete\|project\|doomed\|40\|.*)$/m;
	note $delete // $applied;
	if ($current)
	{
		like($delete, qr/\|replaced by project id 400; \d+ dependent rows in \d+ tables deleted, 2 references set to NULL; not in Sentry's on_delete table, by the fallback: sentry_futuremodel.other_project_id \(set to NULL\), sentry_futuremodel.project_id \(deleted\)$/,
			"$generation: the delete row counts the SET_NULL references and names the fallback's");
		like($stderr, qr/NOTICE:  references into public.sentry_project that Sentry's on_delete table does not list were handled by the fallback\nDETAIL:  The references and what the fallback did: sentry_futuremodel.other_project_id \(set to NULL\), sentry_futuremodel.project_id \(deleted\)./,
			"$generation: a NOTICE names the references the fallback handled");
		is($node->safe_psql($db, q{
			SELECT (SELECT count(*) FROM workflow_engine_detector WHERE id = 900)
			    || ',' || (SELECT count(*) FROM workflow_engine_detector WHERE id = 901)
			    || ',' || (SELECT coalesce(project_id::text, 'null') FROM sentry_organizationonboardingtask WHERE id = 900)
			    || ',' || (SELECT string_agg(project_id || ':' || coalesce(other_project_id::text, 'null'), ' ') FROM sentry_futuremodel)}),
			'0,1,null,41:null', "$generation: the detector went with its project, the onboarding task (SET_NULL) stays unlinked, the fallback deleted and unlinked");
	}
	else
	{
		like($delete, qr/\|replaced by project id 400; \d+ dependent rows in \d+ tables deleted, 0 references set to NULL$/,
			"$generation: the delete row counts what went, and no fallback was needed");
		unlike($stderr, qr/fallback/, "$generation: no NOTICE of the fallback");
		is($node->safe_psql($db, q{
			SELECT (SELECT count(*) FROM sentry_message WHERE id = 900)
			    || ',' || (SELECT count(*) FROM sentry_projectdsymfile WHERE id = 900)
			    || ',' || (SELECT count(*) FROM sentry_file WHERE id = 900)}),
			'0,0,1', "$generation: the event and the debug file went with the project; the file stays (Sentry's cleanup removes blobs)");
	}
	is($node->safe_psql($db, q{
		SELECT (SELECT string_agg(id::text, ' ' ORDER BY id) FROM sentry_useroption WHERE id IN (900, 901))
		    || ',' || (SELECT string_agg(id::text, ' ' ORDER BY id) FROM sentry_projectbookmark WHERE id IN (900, 901))
		    || ',' || (SELECT string_agg(id::text, ' ' ORDER BY id) FROM sentry_groupedmessage WHERE id >= 900)
		    || ',' || (SELECT string_agg(id::text, ' ' ORDER BY id) FROM sentry_grouphash WHERE id >= 900)}),
		'901,901,901 902,901 902', "$generation: the user option, bookmark, group and hash of project 40 went with it, the others stayed");
	is($node->safe_psql($db, q{
		SELECT (SELECT string_agg(project_id::text, ' ' ORDER BY project_id) FROM billing_usage)
		    || ',' || (SELECT string_agg(project_id::text, ' ' ORDER BY project_id) FROM billing_invoice)}),
		'40 41 43,41', "$generation: tables that are not Sentry's are untouched");
	is(others_checksum($db), $others, "$generation: the rows of the other projects and organization are as they were");

	# prune: project old, team Old, member bob
	$others = others_checksum($db, 'sentry_rule');
	($applied, $stderr) = plan_then_apply($node, $db, $read{prune}, "$generation prune: ");
	note $applied;
	like($applied, qr/^delete\|team\|Old\|$old_team\|not in the fixture; [1-9]\d* dependent rows in [1-9]\d* tables deleted, ${\($current ? 1 : 0)} references set to NULL$/m,
		"$generation: prune of a team follows Sentry's rules (its access request deleted; on current Sentry the rule it owned unlinked)");
	like($applied, qr/^delete\|member\|bob\@example.com\|$bob_member\|not in the fixture; the user stays; \d+ dependent rows/m,
		"$generation: prune of a membership");
	is($node->safe_psql($db, "SELECT count(*) FROM sentry_organizationaccessrequest WHERE id = 900")
		  . ',' . $node->safe_psql($db, "SELECT count(*) FROM sentry_organizationmember WHERE id = $bob_member")
		  . ',' . $node->safe_psql($db, 'SELECT string_agg(project_id::text, \' \' ORDER BY project_id) FROM billing_usage'),
		'0,0,40 41 43', "$generation: the access request went, the member went, the look-alike table stayed untouched");
	if ($current)
	{
		is($node->safe_psql($db, 'SELECT coalesce(owner_team_id::text, \'null\') || \',\' || project_id FROM sentry_rule WHERE id = 900'),
			'null,41', "$generation: the rule owned by the pruned team stays, its owner team set to NULL (SET_NULL)");
	}
	is(others_checksum($db, 'sentry_rule'), $others, "$generation: after prune too, the other projects and organization are as they were");
}

done_testing();
