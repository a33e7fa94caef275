# The sentry-fixtures command: init on a fresh cluster (database, extension,
# schema from the real Sentry 9.1 dump, upgrade command, fixture), a second
# init with nothing to do, apply and plan, --prune, export, the connection
# settings (PG*, SENTRY_*, DATABASE_URL), the exit statuses and messages of a
# wrong password, an unreachable server, an invalid fixture and a skipped
# project, and no secret in the server log with log_statement = 'all'.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(password_superuser sentry_dump);
use Test::More;
use Time::HiRes qw(time);

my $dump = sentry_dump('sentry-9.1.sql');
my $cli = "$FindBin::Bin/../sentry-fixtures";

my $node = PostgreSQL::Test::Cluster->new('cli');
$node->init;
$node->append_conf('postgresql.conf', "log_statement = 'all'\nsentry_fixtures.password_iterations = 1000");
$node->start;

# A superuser that must give its password: the role the connection tests use
my $role_password = 'p@ss:w/rd%pw';
password_superuser($node, 'fixture_admin', $role_password);

my $dir = PostgreSQL::Test::Utils::tempdir;
my %secret = (api => 'feedfacefeedfacefeedfacefeedface', worker => 'deadbeefdeadbeefdeadbeefdeadbeef');
my $admin_password = 'correct horse battery';

sub write_file
{
	my ($name, $text) = @_;
	my $path = "$dir/$name";
	open(my $out, '>', $path) or die "could not write $path: $!";
	print $out $text;
	close $out;
	return $path;
}

my $head = <<"YAML";
organization: sentry
url_prefix: http://sentry.test
admin:
  email: admin\@example.com
  password: $admin_password
teams:
  - name: Backend
    projects:
      api: http://00000000000000000000000000000001:$secret{api}\@sentry.test/60
YAML
my $fixture = write_file('fixture.yml', $head);
my $more = write_file('more.yml', $head
	  . "      worker: http://00000000000000000000000000000002:$secret{worker}\@sentry.test/61\n");
my $skipping = write_file('skip.yml', $head
	  . "      worker: http://00000000000000000000000000000002:$secret{worker}\@sentry.test/61\n"
	  . "      y: http://00000000000000000000000000000003\@sentry.test/80\n");
my $invalid = write_file('invalid.yml', "url_prefix: http://sentry.test\nteams:\n  - name: ''\n    projects: {a: not a dsn}\n");

# Run the command with the node's connection settings plus %$env (undef
# deletes a variable); returns the exit status, stdout and stderr.
sub cli
{
	my ($env, @args) = @_;
	local %ENV = %ENV;
	$ENV{PGHOST} = $node->host;
	$ENV{PGPORT} = $node->port;
	$ENV{PGDATABASE} = 'sentry';
	delete @ENV{qw(PGUSER PGPASSWORD DATABASE_URL SENTRY_DB_NAME SENTRY_DB_USER SENTRY_DB_PASSWORD SENTRY_POSTGRES_HOST SENTRY_POSTGRES_PORT)};
	while (my ($k, $v) = each %$env)
	{
		if (defined $v) { $ENV{$k} = $v; }
		else { delete $ENV{$k}; }
	}
	my ($out, $err) = ('', '');
	IPC::Run::run([ $cli, @args ], '<', \undef, '>', \$out, '2>', \$err);
	my $status = $? >> 8;
	note "sentry-fixtures @args: exit $status\n$out$err";
	return ($status, $out, $err);
}

# usage
my ($status, $out, $err) = cli({}, '--help');
is($status, 0, '--help exits 0');
like($out, qr/^SYNOPSIS.*^ENVIRONMENT.*^EXIT STATUS/ms, '--help prints the manual');
($status, undef, $err) = cli({}, 'frobnicate');
is($status, 1, 'an unknown command exits 1');
like($err, qr/unknown command "frobnicate"/, 'and says so on stderr');

# init on a fresh cluster; the upgrade command records what it saw
my $marker = "$dir/upgrade-ran";
my $upgrade = qq{psql -XAtc "SELECT 'ran', count(*) FROM sentry_project WHERE id = 60" > '$marker'};
($status, $out, $err) = cli({}, 'init', '--fixtures', $fixture, '--schema', $dump, '--no-owner',
	'--upgrade-command', $upgrade, '--wait', '10');
is($status, 0, 'init exits 0');
like($out, qr/^database "sentry": created$/m, 'init created the database');
like($out, qr/^extension sentry_fixtures: [\d.]+ created$/m, 'init created the extension');
like($out, qr/^schema: loaded from \Q$dump\E \(\d+ statements, \d+ tables, \d+ rows\)$/m,
	'init bootstrapped the schema from the dump');
is($node->safe_psql('sentry', q{SELECT count(*) > 100 FROM pg_tables WHERE schemaname = 'public'}),
	't', 'the Sentry tables are there');
is(slurp_file($marker), "ran|0\n", 'the upgrade command ran after the bootstrap and before the apply');
like($out, qr/^ create \| project +\| api +\| 60 \|/m, 'init printed the report as a table');
like($out, qr/applied: \d+ created, 0 updated, 0 deleted, 0 skipped$/m, 'and a summary');
is($node->safe_psql('sentry', 'SELECT secret_key FROM sentry_projectkey WHERE project_id = 60'),
	$secret{api}, 'the fixture was applied');
unlike($out . $err, qr/$secret{api}|\Q$admin_password\E/, 'no secret in the output');

# a second init has nothing to do
($status, $out, $err) = cli({}, 'init', '--fixtures', $fixture, '--schema', $dump, '--no-owner', '--wait', '10');
is($status, 0, 'a second init exits 0');
like($out, qr/^database "sentry": exists$/m, 'the database is kept');
like($out, qr/^extension sentry_fixtures: [\d.]+ already installed$/m, 'the extension is kept');
like($out, qr/^schema: \d+ tables already there, \Q$dump\E not loaded$/m, 'the schema is kept');
like($out, qr/nothing to do/, 'a second init reports nothing to do');

# init without a fixture prepares a database and stops; --owner
($status, $out, $err) = cli({ PGDATABASE => 'other' }, 'init', '--owner', 'fixture_admin', '--wait', '10');
is($status, 0, 'init without --fixtures exits 0');
like($out, qr/^database "other": created$/m, 'it created the database');
unlike($out, qr/nothing to do|applied/, 'and applied nothing');
is($node->safe_psql('postgres', q{SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'other'}),
	'fixture_admin', 'the database has the --owner role as owner');

# plan, then apply, with SENTRY_* and DATABASE_URL connections by password
($status, $out, $err) = cli({ SENTRY_DB_USER => 'fixture_admin', SENTRY_DB_PASSWORD => $role_password,
		SENTRY_POSTGRES_HOST => $node->host, SENTRY_POSTGRES_PORT => $node->port, SENTRY_DB_NAME => 'sentry',
		PGHOST => undef, PGPORT => undef, PGDATABASE => undef },
	'plan', $more);
is($status, 0, 'plan with the SENTRY_* connection settings exits 0');
like($out, qr/^ create \| project +\| worker +\| 61 \|/m, 'plan shows the new project');
is($node->safe_psql('sentry', 'SELECT count(*) FROM sentry_project WHERE id = 61'), '0', 'plan changes nothing');

(my $encoded = $role_password) =~ s/([^A-Za-z0-9._~-])/sprintf('%%%02X', ord $1)/ge;
(my $host = $node->host) =~ s/([^A-Za-z0-9._~-])/sprintf('%%%02X', ord $1)/ge;
my $url = "postgresql://fixture_admin:$encoded\@/sentry?host=$host&port=" . $node->port;
($status, $out, $err) = cli({ DATABASE_URL => $url, PGHOST => undef, PGPORT => undef, PGDATABASE => undef },
	'apply', $more);
is($status, 0, 'apply with a DATABASE_URL holding a percent-encoded password exits 0');
is($node->safe_psql('sentry', 'SELECT secret_key FROM sentry_projectkey WHERE project_id = 61'),
	$secret{worker}, 'apply applied the fixture');
like($err, qr/^$/, 'apply wrote nothing to stderr');

# skipped projects: rule 5 (the DSN's id belongs to another project)
my $org = $node->safe_psql('sentry', q{SELECT id FROM sentry_organization WHERE slug = 'sentry'});
$node->safe_psql('sentry', qq{
	INSERT INTO sentry_project (id, name, slug, public, date_added, status, organization_id, flags)
	VALUES (80, 'x', 'x', false, now(), 0, $org, 0), (81, 'y', 'y', false, now(), 0, $org, 0)});
($status, $out, $err) = cli({}, 'plan', $skipping);
is($status, 2, 'plan exits 2 when entries would be skipped');
($status, $out, $err) = cli({}, 'apply', $skipping);
is($status, 2, 'apply exits 2 when entries were skipped');
like($err, qr/WARNING:  project "y" skipped/, 'the skip is warned about on stderr');
like($err, qr/1 entry skipped/, 'and counted');
like($out, qr/^ skip +\| project +\| y +\| 80 \|/m, 'the report has the skip row');
is($node->safe_psql('sentry', q{SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM sentry_project WHERE id IN (80, 81)}),
	'80:x,81:y', 'the skipped project was left alone');

# --prune: plan shows the deletes of what the fixture does not name, apply
# makes them; export prints the organization as a fixture
($status, $out, $err) = cli({}, 'plan', $more, '--prune');
is($status, 0, 'plan --prune exits 0');
like($out, qr/^ delete \| project +\| x +\| 80 \|.*not in the fixture/m, 'plan --prune shows the unnamed project deleted');
like($out, qr/plan \(nothing changed\): 0 created, 0 updated, 2 deleted, 0 skipped$/m, 'and counts the deletes');
is($node->safe_psql('sentry', 'SELECT count(*) FROM sentry_project WHERE id IN (80, 81)'), '2',
	'plan --prune deletes nothing');
($status, undef, $err) = cli({}, 'validate', $more, '--prune');
is($status, 1, 'validate --prune is a usage error');
like($err, qr/--prune is for init, apply and plan/, 'and says so');
($status, $out, $err) = cli({}, 'apply', $more, '--prune');
is($status, 0, 'apply --prune exits 0');
like($out, qr/applied: 0 created, 0 updated, 2 deleted, 0 skipped$/m, 'apply --prune deleted two projects');
is($node->safe_psql('sentry', 'SELECT count(*) FROM sentry_project WHERE id IN (80, 81)'), '0',
	'the unnamed projects are gone');
($status, $out, $err) = cli({}, 'apply', $more, '--prune');
like($out, qr/nothing to do/, 'a second apply --prune has nothing to do');

# export builds DSNs from the server's url prefix, which the fixture set only
# for its own apply
my $prefix = { PGOPTIONS => '-c sentry_fixtures.url_prefix=http://sentry.test' };
($status, $out, $err) = cli($prefix, 'export');
is($status, 0, 'export exits 0');
like($out, qr/^organization: /m, 'export prints a fixture');
like($out, qr/\Q$secret{worker}\E\@sentry\.test\/61/, 'with the secret keys in its DSNs');
my $exported = write_file('exported.yml', $out);
($status, $out, $err) = cli($prefix, 'plan', $exported);
like($out, qr/nothing to do/, 'the exported fixture matches the database');
($status, $out, $err) = cli($prefix, 'export', '--no-secrets');
is($status, 0, 'export --no-secrets exits 0');
unlike($out, qr/$secret{api}|$secret{worker}/, 'and prints no secret key');
($status, undef, $err) = cli({}, 'export', $more);
is($status, 1, 'export with a FILE is a usage error');

# an invalid fixture: validate and apply, with nothing applied
($status, $out, $err) = cli({}, 'validate', $invalid);
is($status, 1, 'validate exits 1 on an invalid fixture');
like($err, qr/^\Q$invalid\E:3:\d+: teams\[0\]\.name: team name must not be empty$/m,
	'validate prints FILE:LINE:COLUMN: PATH: MESSAGE');
like($err, qr/has \d+ problems$/m, 'and counts them');
($status, $out, $err) = cli({}, 'validate', $fixture);
is($status, 0, 'validate exits 0 on a valid fixture');
like($out, qr/no problems/, 'and says so');
($status, $out, $err) = cli({}, 'init', '--fixtures', $invalid, '--wait', '10');
is($status, 1, 'init exits 1 on an invalid fixture');
like($err, qr/ERROR:  fixture has \d+ problems/, 'with the problem count on stderr');

# a wrong password, and an unreachable server
($status, $out, $err) = cli({ PGUSER => 'fixture_admin', PGPASSWORD => 'not-the-password' },
	'init', '--fixtures', $fixture, '--wait', '10');
is($status, 1, 'a wrong password exits 1');
like($err, qr/password authentication failed for user "fixture_admin"/, 'and says why');
unlike($out . $err, qr/not-the-password/, 'without printing the password');

my $start = time;
($status, $out, $err) = cli({ PGPORT => PostgreSQL::Test::Cluster::get_free_port() },
	'init', '--fixtures', $fixture, '--wait', '2');
my $elapsed = time - $start;
is($status, 1, 'an unreachable server exits 1');
like($err, qr/the server did not accept connections within 2 seconds/, 'after the bounded wait');
cmp_ok($elapsed, '<', 15, 'the wait is bounded');

# secrets stayed out of the server log
my $log = slurp_file($node->logfile);
like($log, qr/statement: COPY\s+pg_temp\.sentry_fixtures_input FROM STDIN/, 'the log has the statements');
for my $what ([ 'the api secret key', $secret{api} ], [ 'the worker secret key', $secret{worker} ],
	[ 'the admin password', $admin_password ], [ 'the role password', $role_password ])
{
	unlike($log, qr/\Q$what->[1]\E/, "the server log has no trace of $what->[0]");
}

$node->stop;
done_testing();
