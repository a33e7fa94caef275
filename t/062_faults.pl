# Faults during applies and bootstraps on the real Sentry 9.0 schema:
# - the backend running a 10,000-project apply is killed (SIGKILL) half
#   way, its projects written, while it waits for a lock another session
#   holds on the project keys: after the server's recovery none of the
#   fixture's changes are there, and a new apply succeeds with the
#   complete state;
# - statement_timeout and pg_cancel_backend() during an apply and during a
#   bootstrap: nothing partial remains, the session goes on, its settings
#   are what they were;
# - the server stopped in immediate mode right after an apply commits has
#   the complete state after restart.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump state_digest write_fixture);
use Test::More;

my $dump = sentry_dump('sentry-9.0.sql');

my $node = new_sentry_node('faults', "sentry_fixtures.password_iterations = 1000\nrestart_after_crash = on");
my $tempdir = PostgreSQL::Test::Utils::tempdir;

# A fixture of $n projects in teams of 100
sub big_fixture
{
	my ($n) = @_;
	my $yml = "organization: Practo\nurl_prefix: https://sentry.example.com\n"
	  . "admin:\n  email: admin\@example.com\n  password: hunter2-but-longer\nteams:\n";
	for my $i (0 .. $n - 1)
	{
		my $id = 1001 + $i;
		$yml .= "  - name: Team " . int($i / 100) . "\n    projects:\n" if $i % 100 == 0;
		$yml .= sprintf("      p-%d: https://%032x:%032x\@sentry.example.com/%d\n",
			$i, $id, $id + 1_000_000_000, $id);
	}
	return $yml;
}
my $fixture = write_fixture($tempdir, 'tenthousand.yml', big_fixture(10_000));
my $apply = "SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$fixture'))";

# What the fixture decides, leaving out the ids drawn from sequences (a
# killed apply has used some of them up)
my $fixture_state = <<'SQL';
SELECT (SELECT md5(string_agg(format('%s %s %s %s', p.id, p.name, p.slug, t.name), ',' ORDER BY p.id))
		  FROM sentry_project p LEFT JOIN sentry_projectteam pt ON pt.project_id = p.id
		  LEFT JOIN sentry_team t ON t.id = pt.team_id)
	|| ' ' || (SELECT md5(string_agg(format('%s %s %s %s', project_id, public_key, secret_key, status), ','
								ORDER BY project_id)) FROM sentry_projectkey)
	|| ' ' || (SELECT md5(string_agg(format('%s %s', name, slug), ',' ORDER BY name)) FROM sentry_team)
	|| ' ' || (SELECT count(*) FROM sentry_organizationmember_teams)
	|| ' ' || (SELECT count(*) FROM sentry_organizationmember)
	|| ' ' || (SELECT count(*) FROM auth_user)
	|| ' ' || (SELECT count(*) FROM sentry_rule)
	|| ' ' || (SELECT count(*) FROM sentry_savedsearch)
SQL

load_sentry_dump($node, 'template_sentry', $dump, no_owner => 1);
foreach my $db ('reference', 'killed', 'cancelled', 'immediate')
{
	$node->safe_psql('postgres', qq{CREATE DATABASE "$db" TEMPLATE template_sentry});
}
my $before = state_digest($node, 'killed');

# The reference: one apply, timed
my $start = time;
my $rows = $node->safe_psql('reference', $apply);
my $duration = time - $start;
cmp_ok($rows, '>', 30_000, 'reference apply of 10,000 projects');
my $after_fixture = $node->safe_psql('reference', $fixture_state);
note(sprintf('a 10,000-project apply takes %.1f s', $duration));

##########################################################################
# SIGKILL half way
##########################################################################

# Another session holds a lock on the project keys, which the apply
# writes after its teams and projects: the backend is killed with those
# written and not committed, however fast or slow the machine is
my $holder = $node->background_psql('killed', on_error_stop => 1);
$holder->query_safe('BEGIN; LOCK TABLE sentry_projectkey IN SHARE MODE');
my $victim = $node->background_psql('killed', on_error_stop => 0);
my $pid = $victim->query_safe('SELECT pg_backend_pid()');
$victim->query_until(qr/started/, "\\echo started\n$apply;\n");
$node->poll_query_until('postgres', "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid")
  or die "the apply never waited for the lock on the project keys";
is( $node->safe_psql(
		'killed', "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
		  WHERE l.pid = $pid AND c.relname = 'sentry_project' AND l.mode = 'RowExclusiveLock'"),
	'1', 'SIGKILL: the apply waits for the project keys, its projects written');
kill 'KILL', $pid;
# the session is gone with its backend; the server restarts all others,
# the lock holder's among them
{
	local $SIG{PIPE} = 'IGNORE';
	eval { $victim->quit };
	eval { $holder->quit };
	my $up = 0;
	foreach (1 .. 600)
	{
		last if ($up = eval { $node->safe_psql('killed', 'SELECT 1') } // '') eq '1';
		usleep(100_000);
	}
	is($up, '1', 'SIGKILL: the server recovered');
}
like(slurp_file($node->logfile), qr/terminated by signal 9: Killed/, 'SIGKILL: the server saw the crash');
is(state_digest($node, 'killed'), $before, 'SIGKILL: after recovery, none of the changes are there');
is($node->safe_psql('killed', $apply), $rows, 'SIGKILL: a new apply succeeds');
is($node->safe_psql('killed', $fixture_state), $after_fixture, 'SIGKILL: the state is complete');

##########################################################################
# statement_timeout and pg_cancel_backend
##########################################################################

# A session with settings of its own, which must survive each interruption
my $session = $node->background_psql('cancelled', on_error_stop => 0);
my $settings_sql = "SELECT current_setting('search_path') || ' | ' || current_setting('work_mem')"
  . " || ' | ' || current_setting('sentry_fixtures.organization')"
  . " || ' | ' || current_setting('check_function_bodies')"
  . " || ' | ' || current_setting('client_min_messages')"
  . " || ' | ' || current_setting('standard_conforming_strings')";
$session->query_safe("SET search_path = public, pg_catalog; SET work_mem = '7MB';"
	  . "SET sentry_fixtures.organization = 'Practo'; SET client_min_messages = notice");
my $settings = $session->query_safe($settings_sql);
my $cancelled_before = state_digest($node, 'cancelled');

# Run $sql in the session, interrupted by statement_timeout ($timeout_ms)
# or by pg_cancel_backend() from another session once the session waits
# where $waiting (a condition on its pg_stat_activity row) says; returns
# its error.  The statement cannot finish before the interruption: it
# waits for a lock another session holds, or in a pg_sleep of the dump,
# however fast or slow the machine is.
sub interrupted
{
	my ($how, $sql, $timeout_ms, $waiting) = @_;
	my $spid = $session->query_safe('SELECT pg_backend_pid()');
	if ($how eq 'statement_timeout')
	{
		$session->query("SET statement_timeout = $timeout_ms");
		my $out = $session->query("$sql");
		my $err = $session->{stderr};
		$session->{stderr} = '';
		$session->query_safe('RESET statement_timeout');
		return $err;
	}
	$session->query_until(qr/started/, "\\echo started\n$sql;\n\\echo finished\n");
	$node->poll_query_until('postgres', "SELECT $waiting FROM pg_stat_activity WHERE pid = $spid")
	  or die "the session never waited where the interruption was to come";
	$node->safe_psql('postgres', "SELECT pg_cancel_backend($spid)");
	$session->query_until(qr/finished/, '');
	my $err = $session->{stderr};
	$session->{stderr} = '';
	return $err;
}

# The apply is interrupted half way: another session holds a lock on the
# project keys, which the apply writes after its teams and projects
my $locker = $node->background_psql('cancelled', on_error_stop => 1);
foreach my $how ('statement_timeout', 'pg_cancel_backend')
{
	$locker->query_safe('BEGIN; LOCK TABLE sentry_projectkey IN SHARE MODE');
	my $err = interrupted($how, $apply, int($duration * 1000 / 3) + 1, "wait_event_type = 'Lock'");
	$locker->query_safe('COMMIT');
	like($err, qr/canceling statement due to (statement timeout|user request)/, "$how during an apply: cancelled");
	is($session->query_safe('SELECT 1'), '1', "$how during an apply: the session goes on");
	is($session->query_safe($settings_sql), $settings, "$how during an apply: its settings are as they were");
	is(state_digest($node, 'cancelled'), $cancelled_before, "$how during an apply: nothing partial remains");
}
$locker->quit;

# Bootstraps, into an empty database, of the dump with a pause after its
# tables and rows are loaded, where the interruption comes
my $slow_dump = slurp_file($dump);
$slow_dump =~ s/^(ALTER TABLE ONLY )/SELECT pg_catalog.pg_sleep(600);\n\n$1/m
  or die "no ALTER TABLE ONLY in $dump";
$slow_dump = write_fixture($tempdir, 'slow-dump.sql', $slow_dump);
$node->safe_psql('postgres', 'CREATE DATABASE emptydb');
$node->safe_psql('emptydb', 'CREATE EXTENSION sentry_fixtures');
$session->query_safe('\c emptydb');
$session->query_safe("SET search_path = public, pg_catalog; SET work_mem = '7MB';"
	  . "SET sentry_fixtures.organization = 'Practo'; SET client_min_messages = notice");
# statement_timeout: long enough for the tables and rows to be loaded
# first on a slow machine, so that it comes in the pause
foreach my $how ('statement_timeout', 'pg_cancel_backend')
{
	my $err = interrupted($how,
		"SELECT * FROM sentry_schema_bootstrap(pg_read_file('$slow_dump'), no_owner => true)",
		20_000, "wait_event = 'PgSleep'");
	like($err, qr/canceling statement due to (statement timeout|user request)/, "$how during a bootstrap: cancelled");
	like($err, qr/pg_sleep/, "$how during a bootstrap: after the tables were loaded");
	is($session->query_safe('SELECT 1'), '1', "$how during a bootstrap: the session goes on");
	is($session->query_safe($settings_sql), $settings, "$how during a bootstrap: its settings are as they were");
	is($node->safe_psql('emptydb', "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"),
		'0', "$how during a bootstrap: no table, sequence or index left");
}
is( $session->query_safe(
		"SELECT loaded FROM sentry_schema_bootstrap(pg_read_file('$dump'), no_owner => true)"),
	't', 'the session then bootstraps the dump');
$session->quit;

##########################################################################
# Immediate stop right after the commit
##########################################################################

is($node->safe_psql('immediate', $apply), $rows, 'immediate stop: the apply commits');
$node->stop('immediate');
$node->start;
is($node->safe_psql('immediate', $fixture_state), $after_fixture, 'immediate stop: the state is complete after restart');

$node->stop;
done_testing();
