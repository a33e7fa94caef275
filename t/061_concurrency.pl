# Concurrent applies on the real Sentry 9.0 schema:
# - four sessions apply the same 1,000-project fixture at the same moment:
#   all succeed, the end state equals one apply, the later ones report no
#   change;
# - two sessions apply two different fixtures at once: the end state equals
#   applying them one after the other, in some order;
# - an apply runs while pgbench inserts groups and events for existing
#   projects: no deadlock, no failed transaction, and rule 1's cascade
#   takes the groups and events of the projects it deletes;
# - an apply deletes projects while pgbench inserts groups for those very
#   projects, and group hashes for their groups: the apply succeeds (the
#   cascade locks what it deletes, so no row can join it half way), the
#   inserts that lose the race fail on the foreign key, and nothing
#   refers to a deleted project or group.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump state_digest write_fixture);
use Test::More;

my $dump = sentry_dump('sentry-9.0.sql');

my $node = new_sentry_node('concurrency', "sentry_fixtures.password_iterations = 1000\nmax_connections = 40");
my $tempdir = PostgreSQL::Test::Utils::tempdir;

# The key of the apply lock ("sentryfx"), which every apply takes first
my $apply_lock = '8315173733425309304';

# A fixture of $n projects with ids from $first, in teams of 100; $tag
# tells fixtures apart by their project names where they should differ.
sub big_fixture
{
	my ($n, $first, $tag) = @_;
	my $yml = "organization: Practo\nurl_prefix: https://sentry.example.com\n"
	  . "admin:\n  email: admin\@example.com\n"
	  . "  password_hash: pbkdf2_sha256\$1000\$abcdefghijklmnopqrstuv\$0123456789abcdefghijklmnopqrstuvwxyzABCDEFE=\n"
	  . "teams:\n";
	for my $i (0 .. $n - 1)
	{
		my $id = $first + $i;
		$yml .= "  - name: Team $tag" . int($i / 100) . "\n    projects:\n" if $i % 100 == 0;
		$yml .= sprintf("      %s-%d: https://%032x:%032x\@sentry.example.com/%d\n",
			$tag, $i, $id, $id + 1_000_000_000, $id);
	}
	return $yml;
}

# Template database with the dump; each scenario copies it
load_sentry_dump($node, 'template_sentry', $dump, no_owner => 1);
sub fresh_db
{
	my ($name) = @_;
	$node->safe_psql('postgres', qq{CREATE DATABASE "$name" TEMPLATE template_sentry});
}

# Start the same or different applies in sessions that all wait on the
# apply lock, held here until every one of them queues for it; returns
# what each printed: its report row count, and its NOTICE.
sub apply_together
{
	my ($db, @paths) = @_;
	my $holder = $node->background_psql($db);
	$holder->query_safe("SELECT pg_advisory_lock($apply_lock)");
	my @sessions;
	foreach my $path (@paths)
	{
		my $session = $node->background_psql($db);
		$session->query_until(qr/started/,
			"\\echo started\nSELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$path'));\n\\echo done\n");
		push @sessions, $session;
	}
	$node->poll_query_until($db,
		"SELECT count(*) = " . scalar(@paths)
		  . " FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
	  or die "the applies did not queue for the lock";
	$holder->query_safe("SELECT pg_advisory_unlock($apply_lock)");
	$holder->quit;
	my @results;
	foreach my $session (@sessions)
	{
		my $out = $session->query_until(qr/done/, '');
		push @results, { rows => ($out =~ /^(\d+)$/m)[0], notice => $session->{stderr} };
		$session->quit;
	}
	return @results;
}

##########################################################################
# Four sessions, one fixture of 1,000 projects
##########################################################################

my $thousand = write_fixture($tempdir, 'thousand.yml', big_fixture(1000, 1001, 'p'));
fresh_db('single');
my $single_rows = $node->safe_psql('single',
	"SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$thousand'))");
cmp_ok($single_rows, '>', 3000, 'one apply of 1,000 projects reports every object');

fresh_db('four');
my @four = apply_together('four', ($thousand) x 4);
is(scalar(grep { defined $_->{rows} } @four), 4, 'four applies at once: all succeed');
is(join(',', sort { $a <=> $b } map { $_->{rows} // 'error' } @four),
	"0,0,0,$single_rows", 'four applies at once: one reports the changes, the others none');
is(state_digest($node, 'four'), state_digest($node, 'single'),
	'four applies at once: the end state of one apply');
is( $node->safe_psql('four',
		"SELECT (SELECT count(*) FROM sentry_project) || ' ' || (SELECT count(*) FROM sentry_team)"
		  . " || ' ' || (SELECT count(*) FROM sentry_projectkey)"
		  . " || ' ' || (SELECT count(*) FROM sentry_organizationmember_teams)"),
	'1001 11 1001 10', 'four applies at once: no duplicate project, team, key or membership');

##########################################################################
# Two sessions, two different fixtures
##########################################################################

# They disagree: the same project names under other ids (rule 1 when the
# other came first) and the same teams
my $fixture_a = write_fixture($tempdir, 'a.yml', big_fixture(300, 5001, 'q'));
my $fixture_b = write_fixture($tempdir, 'b.yml', big_fixture(300, 6001, 'q'));
foreach my $order ([ 'ab', $fixture_a, $fixture_b ], [ 'ba', $fixture_b, $fixture_a ])
{
	my ($db, @paths) = @$order;
	fresh_db($db);
	$node->safe_psql($db,
		join('', map { "SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$_'));" } @paths));
}
fresh_db('two');
my @two = apply_together('two', $fixture_a, $fixture_b);
is(scalar(grep { defined $_->{rows} } @two), 2, 'two fixtures at once: both succeed');
my $two_digest = state_digest($node, 'two');
ok($two_digest eq state_digest($node, 'ab') || $two_digest eq state_digest($node, 'ba'),
	'two fixtures at once: the end state of one serial order');
isnt(state_digest($node, 'ab'), state_digest($node, 'ba'), 'the two serial orders differ');

##########################################################################
# An apply while pgbench writes groups and events for existing projects
##########################################################################

fresh_db('busy');
$node->safe_psql('busy', "SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$thousand'))");
# groups of the projects the next fixture moves to new ids (rule 1)
$node->safe_psql('busy', <<'SQL');
INSERT INTO sentry_groupedmessage (logger, level, message, status, times_seen, last_seen,
    first_seen, score, project_id, time_spent_total, time_spent_count)
SELECT '', 40, 'doomed', 0, 1, now(), now(), 0, p, 0, 0 FROM generate_series(1901, 2000) AS p;
INSERT INTO sentry_message (message, datetime, group_id, project_id)
SELECT 'doomed', now(), id, project_id FROM sentry_groupedmessage WHERE message = 'doomed';
SQL
my $moved = big_fixture(1000, 1001, 'p');
$moved =~ s{/(\d+)$}{'/' . ($1 > 1900 ? $1 + 10000 : $1)}gme;
my $moved_path = write_fixture($tempdir, 'moved.yml', $moved);

my $bench_script = write_fixture($tempdir, 'groups.sql', <<'SQL');
\set p random(1001, 1900)
WITH g AS (INSERT INTO sentry_groupedmessage (logger, level, message, status, times_seen, last_seen, first_seen, score, project_id, time_spent_total, time_spent_count) VALUES ('', 40, 'bench', 0, 1, now(), now(), 0, :p, 0, 0) RETURNING id) INSERT INTO sentry_message (message, datetime, group_id, project_id) SELECT 'bench', now(), id, :p FROM g;
SELECT pg_sleep(0.001);
SQL
my ($bench_out, $bench_err) = ('', '');
my $bench = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '4', '-T', '8', '-f', $bench_script,
	  '-h', $node->host, '-p', $node->port, 'busy' ],
	'>', \$bench_out, '2>', \$bench_err);
sleep 2;
my ($rc, $out, $err) = (0, '', '');
$rc = $node->psql('busy', "SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$moved_path'))",
	stdout => \$out, stderr => \$err, timeout => 120);
my $bench_ok = $bench->finish;
is($rc, 0, 'apply during pgbench: it succeeds') or diag($err);
unlike($err, qr/deadlock/, 'apply during pgbench: no deadlock');
ok($bench_ok, 'pgbench: it succeeds') or diag($bench_err);
# pgbench counts failed transactions from PostgreSQL 15 on; before, a
# failed transaction aborts its client with a message
if ($bench_out =~ /number of failed transactions/)
{
	like($bench_out, qr/number of failed transactions: 0 /, 'pgbench: no transaction failed')
	  or diag($bench_out);
}
else
{
	unlike($bench_err, qr/aborted/, 'pgbench: no transaction failed');
}
my ($written) = $bench_out =~ /number of transactions actually processed: (\d+)/;
cmp_ok($written // 0, '>', 0, 'pgbench wrote groups');
is( $node->safe_psql('busy',
		"SELECT (SELECT count(*) FROM sentry_groupedmessage WHERE message = 'bench') || ' ' || "
		  . "(SELECT count(*) FROM sentry_message WHERE message = 'bench')"),
	"$written $written", 'pgbench: every group and event it wrote is there');
is( $node->safe_psql('busy',
		"SELECT (SELECT count(*) FROM sentry_groupedmessage WHERE message = 'doomed' OR project_id BETWEEN 1901 AND 2000) + "
		  . "(SELECT count(*) FROM sentry_message WHERE message = 'doomed' OR project_id BETWEEN 1901 AND 2000)"),
	'0', 'the cascade of rule 1 took the groups and events of the projects it deleted');
is( $node->safe_psql('busy', 'SELECT count(*) FROM sentry_project WHERE id BETWEEN 11901 AND 12000'),
	'100', 'the moved projects are there under their new ids');

##########################################################################
# An apply deleting projects while pgbench writes rows that refer to them
##########################################################################

fresh_db('race');
$node->safe_psql('race', "SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$thousand'))");
$node->safe_psql('race', <<'SQL');
INSERT INTO sentry_groupedmessage (logger, level, message, status, times_seen, last_seen,
    first_seen, score, project_id, time_spent_total, time_spent_count)
SELECT '', 40, 'doomed', 0, 1, now(), now(), 0, p, 0, 0
FROM generate_series(1901, 2000) AS p, generate_series(1, 20);
SQL
my ($first_group, $last_group) = split /\|/, $node->safe_psql('race',
	"SELECT min(id), max(id) FROM sentry_groupedmessage WHERE message = 'doomed'");
my $doomed_groups = write_fixture($tempdir, 'doomed_groups.sql', <<'SQL');
\set p random(1901, 2000)
INSERT INTO sentry_groupedmessage (logger, level, message, status, times_seen, last_seen, first_seen, score, project_id, time_spent_total, time_spent_count) VALUES ('', 40, 'late', 0, 1, now(), now(), 0, :p, 0, 0);
SQL
my $doomed_hashes = write_fixture($tempdir, 'doomed_hashes.sql', <<'SQL');
\set g random(:first_group, :last_group)
INSERT INTO sentry_grouphash (project_id, hash, group_id) SELECT NULL, md5(random()::text), id FROM sentry_groupedmessage WHERE id = :g;
SQL
($bench_out, $bench_err) = ('', '');
$bench = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '6', '-T', '20', '-D', "first_group=$first_group",
	  '-D', "last_group=$last_group", '-f', $doomed_groups, '-f', $doomed_hashes,
	  '-h', $node->host, '-p', $node->port, 'race' ],
	'>', \$bench_out, '2>', \$bench_err);
sleep 2;
($out, $err) = ('', '');
$rc = $node->psql('race', "SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$moved_path'))",
	stdout => \$out, stderr => \$err, timeout => 120);
$bench->finish;
is($rc, 0, 'apply racing inserts into what it deletes: it succeeds') or diag($err);
unlike($err . $bench_err, qr/deadlock/, 'apply racing inserts: no deadlock');
my @bench_errors = $bench_err =~ /^.*ERROR:.*$/mg;
is(scalar(grep { !/violates foreign key constraint/ } @bench_errors), 0,
	'the inserts that lost the race failed on the foreign key, and on nothing else')
  or diag($bench_err);
is( $node->safe_psql('race', <<'SQL'),
SELECT (SELECT count(*) FROM sentry_groupedmessage WHERE project_id BETWEEN 1901 AND 2000)
     + (SELECT count(*) FROM sentry_grouphash h
        WHERE NOT EXISTS (SELECT FROM sentry_groupedmessage g WHERE g.id = h.group_id))
SQL
	'0', 'no group of a deleted project, no hash of a deleted group is left');
cmp_ok(scalar(@bench_errors), '>', 0,
	'pgbench was still inserting when the apply committed');

$node->stop;
done_testing();
