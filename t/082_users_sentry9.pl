# users: on the real Sentry 9.0 and 9.1 schemas: users created and matched
# by email, their roles and teams, a password Django verifies, export and
# round trip with users, and prune removing memberships (never users);
# an apply of 100 users runs as many statements as one of 10
# (pg_stat_statements).
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry9_dumps new_sentry_node load_sentry_dump django_check_password apply_rows_and_writes
  apply_statements);
use Test::More;

my %dumps = sentry9_dumps();

my $node = new_sentry_node('users9', <<'CONF');
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'http://sentry.test'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
CONF

my $head = <<'YAML';
admin:
  email: admin@example.com
  password: correct horse
teams:
  - name: Backend
    projects:
      - name: api
        dsn: http://0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210@sentry.test/23
  - name: Web
YAML

my $users = <<'YAML';
users:
  - email: alice@example.com
    name: Alice
    password: battery staple
    role: admin
    teams: [Backend, Web]
  - email: bob@example.com
    username: bob
    teams: [Web]
  - email: carol@example.com
    superuser: true
    role: manager
YAML

my $pruning = <<'YAML';
prune: true
users:
  - email: ALICE@example.com
    role: member
    teams: [Web]
YAML

sub write_file
{
	my ($name, $text) = @_;
	my $file = $node->basedir . "/$name";
	PostgreSQL::Test::Utils::append_to_file($file, $text);
	return "pg_read_file('$file')";
}

my $members = q{
	SELECT string_agg(u.email || ':' || m.role || ':' || u.is_superuser || ':' || u.is_staff || ':'
	       || coalesce((SELECT string_agg(t.name, '+' ORDER BY t.name) FROM sentry_organizationmember_teams mt
	                    JOIN sentry_team t ON t.id = mt.team_id
	                    WHERE mt.organizationmember_id = m.id AND mt.is_active), ''), ',' ORDER BY u.email)
	FROM sentry_organizationmember m JOIN auth_user u ON u.id = m.user_id};

my $report = 'SELECT action, kind, name, id, detail FROM %s ORDER BY 1, 2, 3, 4';

for my $version (sort keys %dumps)
{
	my ($db, $fresh) = ("sentry$version", "fresh$version");
	is(load_sentry_dump($node, $db, $dumps{$version}, no_owner => 1), 't', "$version: dump bootstrapped");
	is(load_sentry_dump($node, $fresh, $dumps{$version}, no_owner => 1), 't', "$version: second copy bootstrapped");
	my $org = $node->safe_psql($db, 'SELECT slug FROM sentry_organization WHERE id = 1');
	$node->safe_psql($_, "ALTER DATABASE \"$_\" SET sentry_fixtures.organization = '$org'") for ($db, $fresh);

	my $fixture = write_file("users-$version.yml", "organization: $org\n$head$users");
	my $planned = $node->safe_psql($db, sprintf($report, "sentry_fixtures_plan($fixture)"));
	my $applied = $node->safe_psql($db, sprintf($report, "sentry_fixtures_apply($fixture)"));
	is($applied, $planned, "$version: plan returns exactly the rows of the real run");
	like($applied, qr/^create\|member\|bob\@example.com\|\d+\|role: member$/m, "$version: a user without a role is a member");
	unlike($applied, qr/battery staple|correct horse/, "$version: no password in the report");

	is($node->safe_psql($db, $members),
		'admin@example.com:owner:true:true:Backend+Web,alice@example.com:admin:false:false:Backend+Web,'
		  . 'bob@example.com:member:false:false:Web,carol@example.com:manager:true:true:',
		"$version: users have their roles, superuser flags and teams");
	is($node->safe_psql($db, q{SELECT username || ',' || first_name FROM auth_user WHERE email = 'alice@example.com'}),
		'alice@example.com,Alice', "$version: a new user's username is its email, its name the fixture's");
	ok(django_check_password('battery staple',
		$node->safe_psql($db, q{SELECT password FROM auth_user WHERE email = 'alice@example.com'})),
		"$version: Django verifies a user's password");
	is(apply_rows_and_writes($node, $db, $fixture), "0\n0", "$version: a second apply returns no rows and writes none");

	# export with users, and the round trip
	my $exported = $node->safe_psql($db, 'SELECT sentry_fixtures_export()');
	like($exported, qr/^- email: carol\@example.com\n  superuser: true\n  role: manager$/m,
		"$version: the export lists users with their flags and roles");
	my $export_file = write_file("export-$version.yml", $exported);
	is(apply_rows_and_writes($node, $db, $export_file), "0\n0", "$version: applying the export to its own database changes nothing");
	$node->safe_psql($fresh, "SELECT count(*) FROM sentry_fixtures_apply($export_file)");
	is($node->safe_psql($fresh, 'SELECT sentry_fixtures_export()'), $exported,
		"$version: a fresh database given the export exports the same text");
	ok(django_check_password('battery staple',
		$node->safe_psql($fresh, q{SELECT password FROM auth_user WHERE email = 'alice@example.com'})),
		"$version: the exported password hash still verifies");

	# prune: memberships of users the fixture does not name go, users stay
	my $prune = write_file("prune-$version.yml", "organization: $org\n$head$pruning");
	$planned = $node->safe_psql($db, sprintf($report, "sentry_fixtures_plan($prune)"));
	$applied = $node->safe_psql($db, sprintf($report, "sentry_fixtures_apply($prune)"));
	is($applied, $planned, "$version: the pruning plan matches the real run");
	like($applied, qr/^delete\|member\|bob\@example.com\|\d+\|not in the fixture; the user stays; 1 dependent rows in 1 tables deleted$/m,
		"$version: a user left out loses its membership and team membership");
	like($applied, qr/^delete\|team_member\|ALICE\@example.com\/Backend\|/m, "$version: a team dropped from a user's list is left");
	is($node->safe_psql($db, $members),
		'admin@example.com:owner:true:true:Backend+Web,alice@example.com:member:false:false:Web',
		"$version: only the fixture's users remain members");
	is($node->safe_psql($db, q{SELECT count(*) FROM auth_user WHERE email IN ('bob@example.com', 'carol@example.com')}),
		'2', "$version: users are never deleted");
	is(apply_rows_and_writes($node, $db, $prune), "0\n0", "$version: pruning again changes nothing");
}

# Users are written set-based: the statements an apply runs inside the
# server (pg_stat_statements, nested ones) do not grow with their number
my %statements;
for my $n (10, 100)
{
	my $db = "many$n";
	load_sentry_dump($node, $db, $dumps{'9.0'}, no_owner => 1);
	my $org = $node->safe_psql($db, 'SELECT slug FROM sentry_organization WHERE id = 1');
	my $fixture = write_file("many-$n.yml", "organization: $org\n$head" . "users:\n"
		  . join('', map { "  - email: user$_\@example.com\n    teams: [Backend]\n" } 1 .. $n));
	$statements{$n} = apply_statements($node, $db, $fixture);
	is($node->safe_psql($db, q{SELECT count(*) FROM sentry_organizationmember_teams mt
		JOIN sentry_organizationmember m ON m.id = mt.organizationmember_id
		JOIN auth_user u ON u.id = m.user_id WHERE u.email LIKE 'user%@example.com'}),
		$n, "$n users: each is a member of its team");
}
cmp_ok($statements{10}, '>', 0, 'pg_stat_statements counted the statements of an apply');
is($statements{100}, $statements{10},
	"an apply of 100 users runs as many statements as one of 10 ($statements{10})");

$node->stop;
done_testing();
