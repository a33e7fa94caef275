# What a new project gets on current Sentry (sentry-current-full.sql, with
# workflow_engine), at the levels django_migrations says, and what its
# deletion takes along.  Asserts:
#  - sentry_fixtures_info() shows the migration levels and behaviours read;
#  - at the schema's own level (workflow_engine 0114) each new project has
#    exactly its two default detectors, the default workflow chain linked
#    to its issue-stream detector, the legacy rule and the AlertRuleWorkflow
#    between them, its key's loader data and sentry:option-epoch;
#  - sentry_fixtures.default_alert = workflow | rule | none writes only
#    that part (the detectors always);
#  - variants the test builds from the schema, on both sides of each
#    first migration in levels.c: workflow_engine 0095 (tables present)
#    gets the rule only, 0096 the detectors and the workflow chain too;
#    sentry 0959 gives a new project sentry:option-epoch 13, 0960 14, 0969
#    14 and a new organization flags 1, 0970 epoch 15 and flags 257;
#    sentry 1066 and 1067 share one default workflow per organization
#    (written once, reused by a later project, kept when one of its
#    projects is deleted), 1065 and 1068 give each project its own; at
#    sentry 1065 and below (workflow_engine 0096 and above) the workflow is
#    IssueAlertMigrator's conversion of the rule (frequency 30, filter
#    logic all, links to both detectors, the AlertRuleDetector row, the
#    translated e-mail action, whose data key is fallthroughType before
#    workflow_engine 0104 and fallthrough_type from it, also at 0106 and
#    0107), exactly, with re-apply, plan and prune; 1066 builds it with
#    workflows.py (frequency 0, filter any-short, issue stream only); the
#    e-mail action workflows.py writes has target and fallthrough in config
#    at 1066 and 1067, target 4 in config and the fallthrough in data from
#    1068 (and at the schema's own level); no
#    workflow_engine tables and an older sentry level (as on 24.x) gets the
#    rule only and epoch 13, with a NOTICE; a newer workflow_engine level
#    writes the newest known rows, with a NOTICE;
#  - re-applying writes nothing; the plan equals the run;
#  - deleting a project (prune, rule 1) removes its detectors, its own
#    workflow chain and its rule links (AlertRuleDetector too), and
#    nothing of other projects;
#  - a new organization gets flags 257, its mapping row's flag columns and
#    its primary slug reservation;
#  - 1,000 new projects cost as many statements as 10 (pg_stat_statements).
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node write_fixture plan_then_apply apply_rows_and_writes
  apply_statements);
use Test::More;

my $dump = sentry_dump('sentry-current-full.sql');
my $node = new_sentry_node('current_sentry', <<'CONF');
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'http://sentry.test'
CONF
my $tempdir = PostgreSQL::Test::Utils::tempdir;

# The schema, loaded once into a template the databases below copy
$node->safe_psql('postgres', 'CREATE DATABASE current_base');
$node->command_ok(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('current_base'),
	'-f', $dump], 'sentry-current-full.sql loads');
$node->safe_psql('current_base', 'CREATE EXTENSION sentry_fixtures');

# A fresh copy of the template, changed by the SQL $change if given
sub new_db
{
	my ($db, $change) = @_;
	$node->safe_psql('postgres', qq{CREATE DATABASE "$db" TEMPLATE current_base});
	$node->safe_psql($db, $change) if defined $change;
	return $db;
}

# A fixture of $n new projects in team Backend (ids from 1001), as a
# pg_read_file() expression; $prune asks for pruning
sub projects_fixture
{
	my ($name, $n, $prune) = @_;
	my $yaml = "organization: sentry\n" . ($prune ? "prune: true\n" : '') . "teams:\n  - name: Backend\n    projects:\n";
	$yaml .= sprintf("      p%d: http://%032x\@sentry.test/%d\n", $_, $_, 1000 + $_) for 1 .. $n;
	my $path = write_fixture($tempdir, "$name.yml", $yaml);
	return "pg_read_file('$path')";
}

# Everything of project $id that its creation wrote besides its row, its
# team link and its key: detectors; each workflow linked to its detectors
# with its when group, conditions, filter groups, actions and the detector
# types and rules linked to it; its rules; its key's data; its options
my $shape = q{
SELECT format('%s|det=%s|wf=%s|rules=%s|keydata=%s|options=%s', p.id,
  (SELECT string_agg(d.type || '/' || d.name || '/' || d.config::text || '/' || d.enabled, ',' ORDER BY d.type)
     FROM workflow_engine_detector d WHERE d.project_id = p.id),
  (SELECT string_agg(format('%s/%s/org=%s/when=%s[%s]/filters=%s/detectors=%s/rules=%s',
         w.name, w.config, w.organization_id, g.logic_type,
         (SELECT string_agg(c.type || '=' || c.comparison::text || '>' || c.condition_result::text, ',' ORDER BY c.type)
            FROM workflow_engine_datacondition c WHERE c.condition_group_id = g.id),
         (SELECT string_agg(fg.logic_type || '[' ||
             (SELECT string_agg(a.type || ' ' || a.config::text || ' ' || a.data::text, ',')
                FROM workflow_engine_dataconditiongroupaction ga JOIN workflow_engine_action a ON a.id = ga.action_id
               WHERE ga.condition_group_id = fg.id) || ']', ',')
            FROM workflow_engine_workflowdataconditiongroup wg
            JOIN workflow_engine_dataconditiongroup fg ON fg.id = wg.condition_group_id WHERE wg.workflow_id = w.id),
         (SELECT string_agg(d.type || '@' || (d.project_id = p.id), ',' ORDER BY d.type)
            FROM workflow_engine_detectorworkflow dw JOIN workflow_engine_detector d ON d.id = dw.detector_id
           WHERE dw.workflow_id = w.id),
         (SELECT string_agg(r.label || '@' || (r.project_id = p.id), ',')
            FROM workflow_engine_alertruleworkflow x JOIN sentry_rule r ON r.id = x.rule_id
           WHERE x.workflow_id = w.id AND x.alert_rule_id IS NULL)), ';')
     FROM workflow_engine_workflow w
     LEFT JOIN workflow_engine_dataconditiongroup g ON g.id = w.when_condition_group_id
    WHERE w.id IN (SELECT dw.workflow_id FROM workflow_engine_detectorworkflow dw
                     JOIN workflow_engine_detector d ON d.id = dw.detector_id WHERE d.project_id = p.id)),
  (SELECT string_agg(r.label || '/' || r.source || '/' || r.status || '/' || md5(r.data), ',') FROM sentry_rule r WHERE r.project_id = p.id),
  (SELECT string_agg(k.data, ',') FROM sentry_projectkey k WHERE k.project_id = p.id),
  (SELECT string_agg(o.key || '=' || o.value, ',' ORDER BY o.key) FROM sentry_projectoptions o WHERE o.project_id = p.id))
  || '|ard=' || coalesce((SELECT string_agg(r.label || '>' || d.type || '@' || (d.project_id = p.id), ',')
     FROM workflow_engine_alertruledetector x JOIN sentry_rule r ON r.id = x.rule_id
     JOIN workflow_engine_detector d ON d.id = x.detector_id WHERE r.project_id = p.id), '')
FROM sentry_project p WHERE p.id > 1000 ORDER BY p.id};

# The same, for a schema without the workflow_engine tables
my $shape_24 = q{
SELECT format('%s|rules=%s|keydata=%s|options=%s', p.id,
  (SELECT string_agg(r.label || '/' || r.source || '/' || r.status || '/' || md5(r.data), ',') FROM sentry_rule r WHERE r.project_id = p.id),
  (SELECT string_agg(k.data, ',') FROM sentry_projectkey k WHERE k.project_id = p.id),
  (SELECT string_agg(o.key || '=' || o.value, ',' ORDER BY o.key) FROM sentry_projectoptions o WHERE o.project_id = p.id))
FROM sentry_project p WHERE p.id > 1000 ORDER BY p.id};

# Rows in the default alert's tables, all projects together
my $alert_rows = q{
SELECT format('det=%s wf=%s dcg=%s dc=%s act=%s dcga=%s wdcg=%s dw=%s arw=%s rule=%s',
  (SELECT count(*) FROM workflow_engine_detector), (SELECT count(*) FROM workflow_engine_workflow),
  (SELECT count(*) FROM workflow_engine_dataconditiongroup), (SELECT count(*) FROM workflow_engine_datacondition),
  (SELECT count(*) FROM workflow_engine_action), (SELECT count(*) FROM workflow_engine_dataconditiongroupaction),
  (SELECT count(*) FROM workflow_engine_workflowdataconditiongroup), (SELECT count(*) FROM workflow_engine_detectorworkflow),
  (SELECT count(*) FROM workflow_engine_alertruleworkflow), (SELECT count(*) FROM sentry_rule))};

my $label = 'Send a notification for high priority issues';
my $rule_md5 = $node->safe_psql('current_base', 'SELECT md5(data) FROM sentry_rule WHERE project_id = 1');
my $keydata = '{"dynamicSdkLoaderOptions":{"hasPerformance":true,"hasReplay":true}}';
my $detectors = 'error/Error Monitor/{}/true,issue_stream/Issue Stream/{}/true';
my $workflow = qq{$label/{"frequency": 0}/org=1/when=any-short[existing_high_priority_issue=true>true,new_high_priority_issue=true>true]}
  . qq{/filters=any-short[email {"target_type": 4, "target_identifier": null} {"fallthrough_type": "ActiveMembers"}]}
  . '/detectors=issue_stream@true';
# The workflow IssueAlertMigrator makes of the rule (sentry 1065 and
# below), its e-mail action's data as given
sub rule_workflow
{
	my ($data) = @_;
	return qq{$label/{"frequency": 30}/org=1/when=any-short[existing_high_priority_issue=true>true,new_high_priority_issue=true>true]}
	  . qq{/filters=all[email {"target_type": 4, "target_display": null, "target_identifier": null} $data]}
	  . "/detectors=error\@true,issue_stream\@true/rules=$label\@true";
}
my $snake_data = '{"fallthrough_type": "ActiveMembers"}';
my $camel_data = '{"fallthroughType": "ActiveMembers"}';
my $rule_detector = "$label>error\@true";

# The shape line each new project 1001, 1002 must have (option epoch 15
# unless $part{epoch} says otherwise)
sub expected_shape
{
	my (%part) = @_;
	my $epoch = $part{epoch} // 15;
	return join("\n", map {
		"$_|det=$part{det}|wf=$part{wf}|rules=$part{rules}|keydata=$keydata|options=sentry:option-epoch=$epoch|ard="
		  . ($part{ard} // '')
	} (1001, 1002));
}
my $rule = "$label/0/0/$rule_md5";

# --- the schema's own level ---------------------------------------------
my $db = new_db('current');
my %info = map { split /\|/, $_, 2 } split /\n/, $node->safe_psql($db, 'SELECT key, value FROM sentry_fixtures_info()');
is($info{'level.sentry'}, '0001_squashed_1118_add_group_derived_data', 'info: the sentry level read');
is($info{'level.workflow_engine'}, '0001_squashed_0114_sanitize_dynamic_form_field_choices',
	'info: the workflow_engine level read (a squash counts as its last migration)');
is(join(',', map { $info{"behaviour.$_"} =~ s/ .*//r } qw(legacy_rule default_detectors default_workflow)),
	'on,on,on', 'info: rule, detectors and workflow are on at this level');
is($info{'behaviour.option_epoch'}, '15 (sentry 0970_remove_pullrequestcommit_fk_constraint)',
	'info: the option epoch a new project gets and the migration it holds from');

my $two = projects_fixture('two', 2);
my ($applied) = plan_then_apply($node, $db, $two, 'current level: ');
like($applied, qr/^create\|project\|p2\|1002\|/m, 'current level: the projects are created');
is($node->safe_psql($db, $shape),
	expected_shape(det => $detectors, wf => "$workflow/rules=$label\@true", rules => $rule),
	'current level: each new project has its detectors, its workflow chain linked to its issue-stream detector and its rule, and the rule links to the workflow');
is($node->safe_psql($db, $alert_rows), 'det=4 wf=2 dcg=4 dc=4 act=2 dcga=2 wdcg=2 dw=2 arw=2 rule=3',
	'current level: nothing else is written');
is(apply_rows_and_writes($node, $db, $two), "0\n0", 'current level: applying again writes nothing');

# deleting: prune one project, replace the other by name (rule 1)
my $prune = write_fixture($tempdir, 'prune.yml', "organization: sentry\nprune: true\nteams:\n  - name: Backend\n    projects:\n"
	  . sprintf("      p2: http://%032x\@sentry.test/2002\n", 2));
($applied) = plan_then_apply($node, $db, "pg_read_file('$prune')", 'delete: ');
like($applied, qr/^delete\|project\|p1\|1001\|not in the fixture; 17 dependent rows in 15 tables deleted/m,
	'delete: the pruned project takes 17 rows along (link, key, key mapping, option, rule, detectors, workflow chain)');
like($applied, qr/^delete\|project\|p2\|1002\|replaced by project id 2002; /m, 'delete: rule 1 replaces the other');
is($node->safe_psql($db, $alert_rows), 'det=2 wf=1 dcg=2 dc=2 act=1 dcga=1 wdcg=1 dw=1 arw=1 rule=2',
	'delete: what the deleted projects\' creation added is gone, the new project has its own');
is($node->safe_psql($db, q{SELECT count(*) FROM workflow_engine_detector WHERE project_id IN (1001, 1002)}), '0',
	'delete: no detector of a deleted project is left');

# --- a new organization -----------------------------------------------------
my $acme = write_fixture($tempdir, 'acme.yml', "organization: Acme Corp\nteams:\n  - name: Ops\n    projects: {}\n");
# The new organization Acme Corp: its flags, its mapping row's flag
# columns and its slug reservation
my $acme_shape = q{
	SELECT o.flags || ',' || m.allow_joinleave || ',' || m.disable_member_project_creation || ',' || m.require_2fa
	    || ',' || r.slug || ',' || r.reservation_type || ',' || r.region_name || ',' || coalesce(r.user_id::text, '-')
	FROM sentry_organization o JOIN sentry_organizationmapping m ON m.organization_id = o.id
	JOIN sentry_organizationslugreservation r ON r.organization_id = o.id
	WHERE o.slug = 'acme-corp'};
($applied) = plan_then_apply($node, $db, "pg_read_file('$acme')", 'new organization: ');
is($node->safe_psql($db, $acme_shape), '257,true,true,false,acme-corp,0,--monolith--,-',
	'new organization: flags 257, mirrored in its mapping row, and its primary slug reservation');
is(apply_rows_and_writes($node, $db, "pg_read_file('$acme')"), "0\n0", 'new organization: applying again writes nothing');

# --- sentry_fixtures.default_alert ----------------------------------------
for my $case (['workflow', "$workflow/rules=", '', 'arw=0 rule=1'],
	['rule', '', $rule, 'arw=0 rule=3'], ['none', '', '', 'arw=0 rule=1'])
{
	my ($setting, $wf, $rules, $counts) = @$case;
	my $db = new_db("alert_$setting", "ALTER DATABASE alert_$setting SET sentry_fixtures.default_alert = '$setting'");
	$node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_apply($two)");
	is($node->safe_psql($db, $shape), expected_shape(det => $detectors, wf => $wf, rules => $rules),
		"default_alert = $setting: the detectors, and only that part of the alert");
	like($node->safe_psql($db, $alert_rows), qr/ $counts$/, "default_alert = $setting: rule rows and links ($counts)");
}

# --- older and newer levels --------------------------------------------------
my $set_level = q{DELETE FROM django_migrations WHERE app = '%1$s';
	INSERT INTO django_migrations (app, name, applied) VALUES ('%1$s', '%2$s', now()), ('%1$s', '%3$s', now());};
$db = new_db('rule_only', sprintf($set_level, 'workflow_engine',
		'0001_squashed_0065_add_status_to_detector_and_workflow', '0095_level_before_detectors'));
my ($ret, $out, $err) = $node->psql($db, "SELECT value FROM sentry_fixtures_info()
	WHERE key IN ('behaviour.default_detectors', 'behaviour.default_workflow', 'behaviour.legacy_rule') ORDER BY key");
is($out, "off (workflow_engine 0096_delete_non_single_written_fire_history)\n"
	  . "off (workflow_engine 0096_delete_non_single_written_fire_history)\n"
	  . "on (sentry 0001_squashed_0904_onboarding_task_project_id_idx)",
	'workflow_engine 0095: detectors and workflow are off, the rule on');
plan_then_apply($node, $db, $two, 'workflow_engine 0095: ');
is($node->safe_psql($db, $shape), expected_shape(det => '', wf => '', rules => $rule),
	'workflow_engine 0095: a new project gets the rule only');
is(apply_rows_and_writes($node, $db, $two), "0\n0", 'workflow_engine 0095: applying again writes nothing');

$db = new_db('detectors_first', sprintf($set_level, 'workflow_engine',
		'0001_squashed_0065_add_status_to_detector_and_workflow', '0096_delete_non_single_written_fire_history'));
plan_then_apply($node, $db, $two, 'workflow_engine 0096: ');
is($node->safe_psql($db, $shape),
	expected_shape(det => $detectors, wf => "$workflow/rules=$label\@true", rules => $rule),
	'workflow_engine 0096: a new project gets its detectors, the workflow chain and the rule linked to it');
is(apply_rows_and_writes($node, $db, $two), "0\n0", 'workflow_engine 0096: applying again writes nothing');

# sentry levels on both sides of the option epochs' and the organization
# flag's first migrations: a new project's epoch, a new organization's flags
for my $case (['0959_level_before_epoch_14', 13, 1], ['0960_project_option_json_field', 14, 1],
	['0969_level_before_org_flag', 14, 1], ['0970_remove_pullrequestcommit_fk_constraint', 15, 257])
{
	my ($migration, $epoch, $flags) = @$case;
	my $level = substr($migration, 0, 4);
	my $db = new_db("sentry$level", sprintf($set_level, 'sentry',
			'0001_squashed_0904_onboarding_task_project_id_idx', $migration));
	is($node->safe_psql($db, "SELECT value FROM sentry_fixtures_info() WHERE key = 'behaviour.org_member_project_creation_off'"),
		($flags == 257 ? 'on' : 'off') . ' (sentry 0970_remove_pullrequestcommit_fk_constraint)',
		"sentry $level: info says whether a new organization gets disable_member_project_creation");
	plan_then_apply($node, $db, $two, "sentry $level: ");
	is($node->safe_psql($db, $shape),
		expected_shape(det => $detectors, wf => rule_workflow($snake_data), rules => $rule, epoch => $epoch,
			ard => $rule_detector),
		"sentry $level: a new project gets sentry:option-epoch $epoch (and the workflow converted from its rule)");
	plan_then_apply($node, $db, "pg_read_file('$acme')", "sentry $level new organization: ");
	is($node->safe_psql($db, $acme_shape),
		"$flags,true," . ($flags == 257 ? 'true' : 'false') . ',false,acme-corp,0,--monolith--,-',
		"sentry $level: a new organization gets flags $flags, mirrored in its mapping row");
	is(apply_rows_and_writes($node, $db, "pg_read_file('$acme')"), "0\n0", "sentry $level: applying again writes nothing");
}

# sentry levels on both sides of the per-organization default workflow
# (1066 to 1067): there the organization's projects share one workflow,
# each linked to it by its issue-stream detector and its rule
my $links = q{SELECT string_agg(format('%s:%s:%s', p.id,
    (SELECT string_agg(dw.workflow_id::text, ',') FROM workflow_engine_detectorworkflow dw
       JOIN workflow_engine_detector d ON d.id = dw.detector_id WHERE d.project_id = p.id AND d.type = 'issue_stream'),
    (SELECT string_agg(x.workflow_id::text, ',') FROM workflow_engine_alertruleworkflow x
       JOIN sentry_rule r ON r.id = x.rule_id WHERE r.project_id = p.id)), ' ' ORDER BY p.id)
  FROM sentry_project p WHERE p.id > 1000};
my $per_project = 'det=4 wf=2 dcg=4 dc=4 act=2 dcga=2 wdcg=2 dw=2 arw=2 rule=3';
# The e-mail action by sentry level: converted from the rule (1065), as
# PR #112276's create_priority_workflow wrote it (1066, 1067), and with
# ActionTarget.ISSUE_OWNERS and the fallthrough in data (1068 on)
my %email_action_at = (
	'1065' => qq{{"target_type": 4, "target_display": null, "target_identifier": null} $snake_data},
	'1066' => '{"target_type": "IssueOwners", "fallthrough_type": "ActiveMembers", "target_identifier": null} {}',
	'1067' => '{"target_type": "IssueOwners", "fallthrough_type": "ActiveMembers", "target_identifier": null} {}',
	'1068' => qq{{"target_type": 4, "target_identifier": null} $snake_data});
for my $case (['1065_delete_customdynamicsamplingrule', 0], ['1066_add_export_format_in_data_export_obj', 1],
	['1067_add_dashboard_revision_model', 1], ['1068_rename_relocationtransfer_region_to_cell', 0])
{
	my ($migration, $shared) = @$case;
	my $level = substr($migration, 0, 4);
	my $db = new_db("sentry$level", sprintf($set_level, 'sentry',
			'0001_squashed_0904_onboarding_task_project_id_idx', $migration));
	is($node->safe_psql($db, "SELECT value FROM sentry_fixtures_info() WHERE key = 'behaviour.org_default_workflow'"),
		($shared ? 'on' : 'off') . ' (sentry 1066_add_export_format_in_data_export_obj to 1067_add_dashboard_revision_model)',
		"sentry $level: info says whether the default workflow is the organization's");
	plan_then_apply($node, $db, $two, "sentry $level: ");
	is($node->safe_psql($db, 'SELECT count(*) FROM workflow_engine_alertruledetector'), $level eq '1065' ? '2' : '0',
		"sentry $level: an AlertRuleDetector row per project only where the workflow is converted from the rule");
	is($node->safe_psql($db, q{SELECT string_agg(DISTINCT a.config::text || ' ' || a.data::text, ',') FROM workflow_engine_action a}),
		$email_action_at{$level}, "sentry $level: the e-mail action's config and data are that level's");
	if (!$shared)
	{
		is($node->safe_psql($db, $alert_rows), $level eq '1065' ? $per_project =~ s/dw=2/dw=4/r : $per_project,
			"sentry $level: each new project gets its own workflow chain");
		next;
	}
	is($node->safe_psql($db, $alert_rows), 'det=4 wf=1 dcg=2 dc=2 act=1 dcga=1 wdcg=1 dw=2 arw=2 rule=3',
		"sentry $level: the two new projects share one workflow chain");
	my $wf = $node->safe_psql($db, 'SELECT id FROM workflow_engine_workflow');
	is($node->safe_psql($db, q{SELECT w.name || '/' || w.config::text || '/' || w.organization_id || '/'
			|| (SELECT string_agg(c.type, ',' ORDER BY c.type) FROM workflow_engine_datacondition c
			     WHERE c.condition_group_id = w.when_condition_group_id)
		FROM workflow_engine_workflow w}),
		qq{$label/{"frequency": 0}/1/existing_high_priority_issue,new_high_priority_issue},
		"sentry $level: the organization's workflow is create_priority_workflow's");
	is($node->safe_psql($db, $links), "1001:$wf:$wf 1002:$wf:$wf",
		"sentry $level: each project's issue-stream detector and rule link to the organization's workflow");
	is(apply_rows_and_writes($node, $db, $two), "0\n0", "sentry $level: applying again writes nothing");

	# a later project gets links to the workflow the organization has
	plan_then_apply($node, $db, projects_fixture("three$level", 3), "sentry $level, a third project: ");
	is($node->safe_psql($db, $alert_rows), 'det=6 wf=1 dcg=2 dc=2 act=1 dcga=1 wdcg=1 dw=3 arw=3 rule=4',
		"sentry $level: a third project reuses the organization's workflow");
	is($node->safe_psql($db, $links), "1001:$wf:$wf 1002:$wf:$wf 1003:$wf:$wf",
		"sentry $level: the third project is linked to it");

	# deleting a project leaves the workflow its organization's other projects use
	my $keep = write_fixture($tempdir, "keep$level.yml", "organization: sentry\nprune: true\nteams:\n  - name: Backend\n    projects:\n"
		  . join('', map { sprintf("      p%d: http://%032x\@sentry.test/%d\n", $_, $_, 1000 + $_) } (2, 3)));
	plan_then_apply($node, $db, "pg_read_file('$keep')", "sentry $level, prune: ");
	is($node->safe_psql($db, $alert_rows), 'det=4 wf=1 dcg=2 dc=2 act=1 dcga=1 wdcg=1 dw=2 arw=2 rule=3',
		"sentry $level: pruning a project keeps the shared workflow chain and drops only its links");
	is($node->safe_psql($db, $links), "1002:$wf:$wf 1003:$wf:$wf", "sentry $level: the other projects stay linked");
}

# sentry 1065 and below, with the workflow engine from 0096: the workflow
# is IssueAlertMigrator's conversion of the rule, its e-mail action's data
# key by workflow_engine level (fallthroughType before 0104)
my $ard_rows = 'SELECT count(*) FROM workflow_engine_alertruledetector';
my $from_rule_rows = 'det=4 wf=2 dcg=4 dc=4 act=2 dcga=2 wdcg=2 dw=4 arw=2 rule=3';
for my $case (['0096_delete_non_single_written_fire_history', $camel_data],
	['0103_add_unique_constraint', $camel_data], ['0104_action_data_fallthrough_type', $snake_data],
	['0106_migrate_actions_sentry_app_data', $snake_data], ['0107_fix_email_action_fallthrough_type', $snake_data])
{
	my ($migration, $data) = @$case;
	my $level = substr($migration, 0, 4);
	my $db = new_db("from_rule$level", sprintf($set_level, 'sentry',
			'0001_squashed_0904_onboarding_task_project_id_idx', '1065_delete_customdynamicsamplingrule')
		  . sprintf($set_level, 'workflow_engine', '0001_squashed_0065_add_status_to_detector_and_workflow', $migration));
	is($node->safe_psql($db, "SELECT value FROM sentry_fixtures_info()
		WHERE key IN ('behaviour.default_workflow_from_rule', 'behaviour.rule_email_action_data') ORDER BY key"),
		"on (sentry 0001_squashed_0904_onboarding_task_project_id_idx to 1065_delete_customdynamicsamplingrule)\n"
		  . "$data (workflow_engine " . ($data eq $camel_data ? '0001_squashed_0065_add_status_to_detector_and_workflow'
			  : '0104_action_data_fallthrough_type') . ')',
		"sentry 1065, workflow_engine $level: info says the workflow is converted from the rule, and the action data");
	plan_then_apply($node, $db, $two, "sentry 1065, workflow_engine $level: ");
	is($node->safe_psql($db, $shape),
		expected_shape(det => $detectors, wf => rule_workflow($data), rules => $rule, ard => $rule_detector),
		"sentry 1065, workflow_engine $level: each new project has the workflow IssueAlertMigrator makes of its rule, linked to both detectors, and the AlertRuleDetector row");
	is($node->safe_psql($db, $alert_rows), $from_rule_rows,
		"sentry 1065, workflow_engine $level: nothing else is written");
	is($node->safe_psql($db, $ard_rows), '2', "sentry 1065, workflow_engine $level: one AlertRuleDetector row per project");
	is(apply_rows_and_writes($node, $db, $two), "0\n0", "sentry 1065, workflow_engine $level: applying again writes nothing");
	next unless $level eq '0096';

	# deleting: the converted workflow, its links and the AlertRuleDetector row go
	my ($deleted) = plan_then_apply($node, $db, "pg_read_file('$prune')", 'sentry 1065, delete: ');
	like($deleted, qr/^delete\|project\|p1\|1001\|not in the fixture; 19 dependent rows in 16 tables deleted/m,
		'sentry 1065, delete: the pruned project takes its converted workflow, both detector links and its AlertRuleDetector row along');
	is($node->safe_psql($db, $alert_rows), 'det=2 wf=1 dcg=2 dc=2 act=1 dcga=1 wdcg=1 dw=2 arw=1 rule=2',
		'sentry 1065, delete: what the deleted projects\' creation added is gone, the new project has its own');
	is($node->safe_psql($db, $ard_rows . ' WHERE rule_id IN (SELECT id FROM sentry_rule WHERE project_id = 2002)')
		  . '/' . $node->safe_psql($db, $ard_rows), '1/1',
		'sentry 1065, delete: only the new project\'s AlertRuleDetector row is left');
}

$db = new_db('sentry24', q{DO $$DECLARE t text; BEGIN
	FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'workflow\_engine\_%' LOOP
		EXECUTE format('DROP TABLE %I CASCADE', t);
	END LOOP; END$$;
	DELETE FROM django_migrations WHERE app IN ('workflow_engine', 'sentry');
	INSERT INTO django_migrations (app, name, applied) VALUES ('sentry', '0742_level_of_a_24_release', now());});
(undef, undef, $err) = $node->psql($db, "SELECT count(*) FROM sentry_fixtures_apply($two)");
like($err, qr/NOTICE:  migration 0742_level_of_a_24_release of Sentry app "sentry" is older than the oldest level sentry_fixtures knows\nDETAIL:  Rows are written as Sentry writes them at migration 0001_squashed_0904_onboarding_task_project_id_idx\./,
	'no workflow_engine, sentry 0742: a NOTICE names the level and the nearest known one');
is($node->safe_psql($db, $shape_24),
	join("\n", map { "$_|rules=$rule|keydata=$keydata|options=sentry:option-epoch=13" } (1001, 1002)),
	'no workflow_engine, sentry 0742: a new project gets the rule, key data and option epoch 13 (of the oldest known level)');
is(apply_rows_and_writes($node, $db, $two), "0\n0", 'no workflow_engine: applying again writes nothing');

$db = new_db('newer', sprintf($set_level, 'workflow_engine',
		'0001_squashed_0114_sanitize_dynamic_form_field_choices', '0131_level_not_yet_known'));
(undef, undef, $err) = $node->psql($db, "SELECT count(*) FROM sentry_fixtures_apply($two)");
like($err, qr/NOTICE:  migration 0131_level_not_yet_known of Sentry app "workflow_engine" is newer than the newest level sentry_fixtures knows/,
	'workflow_engine 0131: a NOTICE says the level is newer than known');
is($node->safe_psql($db, $shape),
	expected_shape(det => $detectors, wf => "$workflow/rules=$label\@true", rules => $rule),
	'workflow_engine 0131: the newest known rows are written');

# --- statements do not grow with the number of new projects ----------------
my %statements;
for my $n (10, 1000)
{
	my $db = new_db("many$n");
	$statements{$n} = apply_statements($node, $db, projects_fixture("many$n", $n));
	is($node->safe_psql($db, q{SELECT count(*) FROM sentry_project p
		WHERE p.id > 1000 AND (SELECT count(*) FROM workflow_engine_detector d WHERE d.project_id = p.id) = 2
		  AND (SELECT count(*) FROM workflow_engine_detectorworkflow dw JOIN workflow_engine_detector d ON d.id = dw.detector_id
		        WHERE d.project_id = p.id) = 1}),
		$n, "$n new projects: each has its detectors and its workflow link");
}
cmp_ok($statements{10}, '>', 0, 'pg_stat_statements counted the statements of an apply');
is($statements{1000}, $statements{10},
	"an apply of 1,000 new projects runs as many statements as one of 10 ($statements{10})");

$node->stop;
done_testing();
