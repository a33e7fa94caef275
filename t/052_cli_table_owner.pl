# sentry-fixtures init connects as a superuser (CREATE EXTENSION needs
# one) but applies the fixture as the role that owns Sentry's tables: a
# trigger that role owns on sentry_project sees that role as current_user,
# not the superuser; the grants the apply needed for it (EXECUTE on
# sentry_fixtures_apply) are gone afterwards; and a second init, with
# nothing to do, says so.
use strict;
use warnings;
use FindBin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $cli = "$FindBin::Bin/../sentry-fixtures";

my $node = PostgreSQL::Test::Cluster->new('cli_owner');
$node->init;
$node->append_conf('postgresql.conf', "sentry_fixtures.password_iterations = 1000");
$node->start;

# Sentry's database and tables belong to the role "sentry", as a dump
# restored without --no-owner leaves them; its trigger records who ran it
$node->safe_psql('postgres', 'CREATE ROLE sentry LOGIN; CREATE DATABASE sentry OWNER sentry');
$node->safe_psql('sentry', qq{
	SET ROLE sentry;
	SET client_min_messages = warning;
	\\i $FindBin::Bin/sentry9_test_schema.sql
	CREATE TABLE project_writers (who name, project_id bigint);
	CREATE FUNCTION record_project_writer() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN
		INSERT INTO public.project_writers VALUES (current_user, NEW.id);
		RETURN NEW;
	END \$\$;
	CREATE TRIGGER record_project_writer AFTER INSERT ON sentry_project
		FOR EACH ROW EXECUTE FUNCTION record_project_writer();});

my $dir = PostgreSQL::Test::Utils::tempdir;
my $fixture = "$dir/fixture.yml";
open(my $fh, '>', $fixture) or die "could not write $fixture: $!";
print $fh <<'YAML';
url_prefix: https://sentry.example.com
admin:
  email: admin@example.com
  password: correct horse battery
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcdef@sentry.example.com/42
YAML
close $fh;

sub init
{
	local %ENV = %ENV;
	delete @ENV{qw(PGUSER PGPASSWORD DATABASE_URL)};
	$ENV{PGHOST} = $node->host;
	$ENV{PGPORT} = $node->port;
	$ENV{PGDATABASE} = 'sentry';
	my ($out, $err) = ('', '');
	IPC::Run::run([ $cli, 'init', '--fixtures', $fixture, '--wait', '5' ],
		'<', \undef, '>', \$out, '2>', \$err);
	my $status = $? >> 8;
	note "sentry-fixtures init: exit $status\n$out$err";
	return ($status, $out, $err);
}

my $superuser = $node->safe_psql('postgres', 'SELECT current_user');
isnt($superuser, 'sentry', 'the command connects as another role, a superuser');

my ($status, $out, $err) = init();
is($status, 0, 'init exits 0');
is($node->safe_psql('sentry', q{SELECT string_agg(who || ':' || project_id, ',') FROM project_writers}),
	'sentry:42', "the trigger of Sentry's role ran as that role");
is($node->safe_psql('sentry', q{SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'sentry_project'::regclass}),
	'sentry', 'the tables still belong to it');
is($node->safe_psql('sentry',
		"SELECT has_function_privilege('sentry', 'sentry_fixtures_apply(text, boolean, boolean)', 'EXECUTE')"),
	'f', 'the grant the apply needed is gone');

($status, $out, $err) = init();
is($status, 0, 'a second init exits 0');
like($out, qr/nothing to do/, 'and has nothing to do');

$node->stop;
done_testing();
