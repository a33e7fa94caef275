# With auto_explain logging nested statements, plans and all, the
# functions' own statements stay out of the server log: their plans carry
# the secret keys and password hashes (PostgreSQL folds a custom plan's
# parameters in as constants, on every version; from 16 on auto_explain
# also logs the parameters).  The test checks, on the server version at
# hand, that auto_explain did log (the caller's statement is there), that
# no secret key and no stored password hash is in the log after an
# apply, a plan, an export and a bootstrap with secret rows, and that the
# caller's setting is back once each function returns.
use strict;
use warnings;
use FindBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $secret = '5ec7e75ec7e75ec7e75ec7e75ec7e7aa';
my $other_secret = '5ec7e75ec7e75ec7e75ec7e75ec7e7bb';
my $dump_secret = '5ec7e75ec7e75ec7e75ec7e75ec7e7cc';

my $node = PostgreSQL::Test::Cluster->new('auto_explain');
$node->init;
$node->append_conf('postgresql.conf',
	"sentry_fixtures.password_iterations = 1000\nsentry_fixtures.url_prefix = 'https://sentry.example.com'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sentry_fixtures');
$node->safe_psql('postgres', "SET client_min_messages = warning; \\i $FindBin::Bin/sentry9_test_schema.sql");

my $fixture = <<"YAML";
url_prefix: https://sentry.example.com
admin:
  email: admin\@example.com
  password: Summer2024pass
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcdef:SECRET\@sentry.example.com/2
YAML
(my $first = $fixture) =~ s/SECRET/$secret/;
(my $second = $fixture) =~ s/SECRET/$other_secret/;
$node->safe_psql('postgres', qq{
	CREATE TABLE fixtures (name text PRIMARY KEY, body text);
	INSERT INTO fixtures VALUES ('first', \$f\$$first\$f\$), ('second', \$f\$$second\$f\$)});

my $explain = q{
	LOAD 'auto_explain';
	SET auto_explain.log_min_duration = 0;
	SET auto_explain.log_nested_statements = on;
	SET auto_explain.log_analyze = on;
	SET auto_explain.log_verbose = on;
};
my $log_start = -s $node->logfile;
my $after = $node->safe_psql('postgres', $explain . q{
	SELECT count(*) FROM fixtures f, sentry_fixtures_apply(f.body) WHERE f.name = 'first';
	SELECT count(*) FROM fixtures f, sentry_fixtures_plan(f.body) WHERE f.name = 'second';
	SELECT count(*) FROM fixtures f, sentry_fixtures_apply(f.body) WHERE f.name = 'second';
	SELECT length(sentry_fixtures_export()) > 0;
	SHOW auto_explain.log_nested_statements;
});
is((split /\n/, $after)[-1], 'on', "the caller's auto_explain setting is back after the calls");
is($node->safe_psql('postgres', 'SELECT secret_key FROM sentry_projectkey WHERE project_id = 2'),
	$other_secret, 'the applies ran');
my $hash = $node->safe_psql('postgres', q{SELECT password FROM auth_user WHERE email = 'admin@example.com'});

# A bootstrap of a dump whose rows hold a secret key, read from a file
my $dump = PostgreSQL::Test::Utils::tempdir . '/dump.sql';
open(my $fh, '>', $dump) or die "could not write $dump: $!";
print $fh <<"SQL";
CREATE SCHEMA loaded;
CREATE TABLE loaded.sentry_projectkey (id integer, secret_key varchar(32));
INSERT INTO loaded.sentry_projectkey VALUES (1, '$dump_secret');
SQL
close $fh;
my $booted = $node->safe_psql('postgres', $explain . qq{
	SET sentry_fixtures.schema = 'loaded';
	SELECT loaded FROM sentry_schema_bootstrap(pg_read_file('$dump'));
	SHOW auto_explain.log_nested_statements;});
is($booted, "t\non", "the dump was loaded, and the caller's auto_explain setting is back after it");

my $log = substr(slurp_file($node->logfile), $log_start);
like($log, qr/Query Text: SELECT count\(\*\) FROM fixtures f, sentry_fixtures_apply/,
	'auto_explain logged the caller\'s statement');
unlike($log, qr/$secret|$other_secret/, 'no secret key of the fixtures in the log');
unlike($log, qr/\Q$hash\E/, 'no password hash in the log');
unlike($log, qr/pbkdf2_sha256/, 'nothing that looks like a password hash in the log');
unlike($log, qr/$dump_secret/, 'no secret of the bootstrapped dump in the log');

$node->stop;
done_testing();
