# Prune on the current Sentry subset: what t/081 and t/082 check on Sentry
# 9 (projects, keys, teams and members the fixture does not name are
# deleted, the internal project and its team stay, plan equals apply, a
# second run writes nothing), plus the control-silo mapping rows that
# refer to keys and memberships without a foreign key: those of pruned
# keys and members go with them, the others stay.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump rule_keys write_fixture apply_rows_and_writes);
use Test::More;

my $dump = sentry_dump('sentry-modern-subset.sql');
my $node = new_sentry_node('prune_modern', <<'CONF');
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'http://sentry.test'
CONF
my $tempdir = PostgreSQL::Test::Utils::tempdir;
my %key = rule_keys();
my $db = 'modern';

# The organization's teams, projects and users; $prune drops team Web,
# project legacy's team Old and user bob, and asks for prune
sub fixture
{
	my ($prune) = @_;
	my $yaml = "organization: sentry\n";
	$yaml .= "prune: true\n" if $prune;
	$yaml .= <<"YAML";
admin:
  email: admin\@example.com
  password: correct horse
teams:
  - name: Backend
    projects:
      api: http://$key{1}\@sentry.test/23
      worker: http://$key{2}\@sentry.test/24
YAML
	$yaml .= <<"YAML" unless $prune;
  - name: Web
    projects:
      shop: http://$key{3}\@sentry.test/25
  - name: Old
    projects:
      legacy: http://$key{4}\@sentry.test/26
YAML
	$yaml .= "users:\n  - email: alice\@example.com\n    teams: [Backend]\n";
	$yaml .= "  - email: bob\@example.com\n    teams: [Web]\n" unless $prune;
	return $yaml;
}

my $all = "pg_read_file('" . write_fixture($tempdir, 'all.yml', fixture(0)) . "')";
my $pruning = "pg_read_file('" . write_fixture($tempdir, 'pruning.yml', fixture(1)) . "')";
my $report = 'SELECT action, kind, name, id, detail FROM %s ORDER BY 1, 2, 3, 4';

load_sentry_dump($node, $db, $dump, no_owner => 1);
$node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_apply($all)");
# an extra key on the managed project api, with its mapping row, and a
# group on project shop
$node->safe_psql($db, <<"SQL");
INSERT INTO sentry_projectkey (id, project_id, public_key, secret_key, roles, status, data, label, date_added, use_case)
  VALUES (700, 23, '$key{9}', '$key{8}', 1, 0, '{}', 'Extra', now(), 'user');
INSERT INTO sentry_projectkeymapping (id, project_key_id, public_key, cell_name, date_updated)
  VALUES (700, 700, '$key{9}', '--monolith--', now());
INSERT INTO sentry_groupedmessage (id, logger, level, message, status, times_seen, last_seen,
    first_seen, project_id, time_spent_total, time_spent_count)
  VALUES (700, '', 40, 'boom', 0, 1, now(), now(), 25, 0, 0);
SQL

# mapping rows of keys and memberships, as "owner:name" lists
my $key_mappings = q{
	SELECT string_agg(owner_key, ',' ORDER BY owner_key COLLATE "C")
	FROM (SELECT coalesce(p.slug, 'none') || ':' || m.public_key AS owner_key
	FROM sentry_projectkeymapping m
	LEFT JOIN sentry_projectkey k ON k.id = m.project_key_id
	LEFT JOIN sentry_project p ON p.id = k.project_id) AS s};
my $member_mappings = q{
	SELECT string_agg(coalesce(u.email, 'none') || ':' || m.role, ',' ORDER BY u.email)
	FROM sentry_organizationmembermapping m
	LEFT JOIN sentry_organizationmember om ON om.id = m.organizationmember_id
	LEFT JOIN auth_user u ON u.id = om.user_id};
is($node->safe_psql($db, $key_mappings),
	join(',', sort("api:$key{1}", "worker:$key{2}", "shop:$key{3}", "legacy:$key{4}", "api:$key{9}",
		'internal:94198688b675d0a08e14f298373248d2')),
	'before: a mapping row for every key');
is($node->safe_psql($db, $member_mappings),
	'admin@example.com:owner,alice@example.com:member,bob@example.com:member',
	'before: a mapping row for every membership');

# plan: exactly what apply will do, and no trace
my $before = $node->safe_psql($db, $key_mappings) . $node->safe_psql($db, $member_mappings);
my $planned = $node->safe_psql($db, sprintf($report, "sentry_fixtures_plan($pruning)"));
is($node->safe_psql($db, $key_mappings) . $node->safe_psql($db, $member_mappings), $before,
	'a pruning plan leaves the mapping rows as they were');
note $planned;
like($planned, qr/^delete\|project\|shop\|25\|not in the fixture; [1-9]\d* dependent rows/m,
	'the plan prunes a project of a dropped team, counting what goes with it');
like($planned, qr/^delete\|project_key\|api\|700\|public_key: ${\$key{9}}; not in the fixture/m,
	'the plan prunes a key other than the fixture\'s');
like($planned, qr/^delete\|member\|bob\@example.com\|\d+\|not in the fixture; the user stays/m,
	'the plan prunes the membership of a user the fixture dropped');
unlike($planned, qr/\|internal\||\|Internal\||\|Sentry\|/i, 'the internal project and its team stay');

my ($ret, $applied, $stderr) = $node->psql($db, sprintf($report, "sentry_fixtures_apply($pruning)"));
is($ret, 0, 'the pruning apply succeeds') or diag($stderr);
is($applied, $planned, 'apply deletes exactly what plan showed');

is($node->safe_psql($db, q{SELECT string_agg(slug, ',' ORDER BY id) FROM sentry_project}),
	'internal,api,worker', 'the internal project and the fixture\'s projects remain');
is($node->safe_psql($db, q{SELECT string_agg(name, ',' ORDER BY name) FROM sentry_team}),
	'Backend,Sentry', 'the fixture\'s team and the internal project\'s team remain');
is($node->safe_psql($db, q{SELECT count(*) FROM sentry_groupedmessage WHERE id = 700}),
	'0', 'the pruned project\'s group went with it');
is($node->safe_psql($db, $key_mappings),
	join(',', sort("api:$key{1}", "worker:$key{2}", 'internal:94198688b675d0a08e14f298373248d2')),
	'the mapping rows of pruned keys went with them, the others stay');
is($node->safe_psql($db, $member_mappings),
	'admin@example.com:owner,alice@example.com:member',
	'the mapping row of the pruned membership went with it');
is($node->safe_psql($db, q{SELECT count(*) FROM auth_user WHERE email = 'bob@example.com'}),
	'1', 'the user of a pruned membership stays');

is(apply_rows_and_writes($node, $db, $pruning), "0\n0",
	'pruning again returns no rows and writes none');

$node->stop;
done_testing();
