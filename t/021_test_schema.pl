# t/sentry9_test_schema.sql, the Sentry 9 schema the test suite builds
# itself: it loads the same with psql -f and with sentry_schema_bootstrap(),
# holds a fresh install's rows, and its tables are the real Sentry 9.0
# tables (columns, constraints, foreign keys), checked against the real
# dump when ../shared has it.
use strict;
use warnings;
use FindBin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use lib $FindBin::Bin;
use SentryTest qw(schema_of sentry_schemas);

my $schema_file = "$FindBin::Bin/sentry9_test_schema.sql";

my $node = PostgreSQL::Test::Cluster->new('test_schema');
$node->init;
$node->start;

# A new database with the extension in it
sub new_database
{
	my ($name) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $name");
	$node->safe_psql($name, 'CREATE EXTENSION sentry_fixtures');
	return $name;
}

# Every row of every table in public, as text
sub contents_of
{
	my ($db) = @_;
	my $query = $node->safe_psql($db, q{
		SELECT string_agg(format('SELECT %L || '': '' || coalesce(string_agg(t::text, '' '' ORDER BY t::text), '''') FROM public.%I t',
		                         relname, relname), ' UNION ALL ' ORDER BY relname)
		FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'});
	return $node->safe_psql($db, $query);
}

new_database('booted');
is($node->safe_psql('booted',
		"SELECT loaded, tables, rows FROM sentry_schema_bootstrap(pg_read_file('$schema_file'))"),
	't|27|14', 'sentry_schema_bootstrap() loads the 27 tables and 14 rows');

new_database('by_psql');
$node->command_ok(
	[ 'psql', '-X', '-q', '-o', '/dev/null', '-v', 'ON_ERROR_STOP=1',
	  '-d', $node->connstr('by_psql'), '-f', $schema_file ],
	'psql -f loads it');

is(schema_of($node, 'booted'), schema_of($node, 'by_psql'), 'both ways make the same schema');
is(contents_of('booted'), contents_of('by_psql'), 'both ways make the same rows');

# A fresh install, as Sentry 9's own "sentry upgrade" leaves it
is($node->safe_psql('booted', q{
	SELECT o.slug || '/' || o.name || ' ' || t.slug || '/' || t.name || ' '
	       || p.slug || ' ' || (SELECT count(*) FROM sentry_projectkey WHERE project_id = p.id)
	       || ' ' || (SELECT count(*) FROM sentry_projectteam WHERE project_id = p.id AND team_id = t.id)
	       || ' ' || (SELECT string_agg(label, ',') FROM sentry_rule WHERE project_id = p.id)
	FROM sentry_organization o, sentry_team t, sentry_project p
	WHERE o.id = 1 AND t.id = 1 AND p.id = 1}),
	'sentry/Sentry sentry/Sentry internal 1 1 Send a notification for new issues',
	'organization, team and internal project with its key, team and alert rule');
is($node->safe_psql('booted',
		"SELECT string_agg(name || ':' || query || ':' || is_default, ',' ORDER BY id) FROM sentry_savedsearch WHERE project_id = 1"),
	'Unresolved Issues:is:unresolved:true,Needs Triage:is:unresolved is:unassigned:false,'
	  . 'Assigned To Me:is:unresolved assigned:me:false,My Bookmarks:is:unresolved bookmarks:me:false,'
	  . 'New Today:is:unresolved age:-24h:false',
	'the five default saved searches');
is($node->safe_psql('booted', q{
	SELECT string_agg(sequencename || '=' || coalesce(last_value::text, '-'), ',' ORDER BY sequencename)
	FROM pg_sequences WHERE last_value IS NOT NULL}),
	'sentry_organization_id_seq=1,sentry_project_id_seq=1,sentry_projectkey_id_seq=1,'
	  . 'sentry_projectoptions_id_seq=1,sentry_projectteam_id_seq=1,sentry_rule_id_seq=1,'
	  . 'sentry_savedsearch_id_seq=5,sentry_team_id_seq=1,south_migrationhistory_id_seq=2',
	'the sequences continue after the rows');
$node->safe_psql('booted', q{
	INSERT INTO sentry_team (slug, name, status, organization_id) VALUES ('more', 'More', 0, 1)});
is($node->safe_psql('booted', "SELECT id FROM sentry_team WHERE slug = 'more'"), '2',
	'a plain INSERT takes the next id');
is($node->safe_psql('booted', q{
	SELECT count(*) || ' ' || count(*) FILTER (WHERE condeferrable AND condeferred AND confdeltype = 'a')
	FROM pg_constraint WHERE contype = 'f'}),
	'38 38', 'every foreign key is DEFERRABLE INITIALLY DEFERRED with no ON DELETE action');

# The tables compared with the real Sentry 9.0 dump
my $dump = sentry_schemas() . '/sentry-9.0.sql';
SKIP:
{
	if (!-r $dump)
	{
		my $why = "$dump is not readable: set SENTRY_SCHEMAS to the folder of the Sentry dumps";
		fail($why) if ($ENV{CI} // '') eq 'true';
		skip $why, 4;
	}

	new_database('real90');
	is($node->safe_psql('real90',
			"SELECT loaded FROM sentry_schema_bootstrap(pg_read_file('$dump'))"),
		't', 'the real 9.0 dump loads');

	my $tables = $node->safe_psql('booted', q{
		SELECT string_agg(quote_literal(relname), ',')
		FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'});
	my %describe = (
		columns => qq{
			SELECT string_agg(format('%s.%s %s%s', c.relname, a.attname,
			                         format_type(a.atttypid, a.atttypmod),
			                         CASE WHEN a.attnotnull THEN ' not null' ELSE '' END),
			                  E'\n' ORDER BY c.relname, a.attnum)
			FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
			WHERE c.relnamespace = 'public'::regnamespace AND c.relname IN ($tables)},
		constraints => qq{
			SELECT string_agg(DISTINCT c.conrelid::regclass || ' ' || pg_get_constraintdef(c.oid), E'\n'
			                  ORDER BY c.conrelid::regclass || ' ' || pg_get_constraintdef(c.oid))
			FROM pg_constraint c
			WHERE c.conrelid::regclass::text IN ($tables) AND c.contype IN ('p', 'u')},
		'foreign keys' => qq{
			SELECT string_agg(c.conrelid::regclass || ' ' || pg_get_constraintdef(c.oid),
			                  E'\n' ORDER BY c.conrelid::regclass::text, pg_get_constraintdef(c.oid))
			FROM pg_constraint c
			WHERE c.contype = 'f' AND c.conrelid::regclass::text IN ($tables)
			  AND c.confrelid::regclass::text IN ($tables)});
	foreach my $what (sort keys %describe)
	{
		is($node->safe_psql('booted', $describe{$what}),
			$node->safe_psql('real90', $describe{$what}),
			"the $what of the test schema's tables are those of Sentry 9.0");
	}
}

$node->stop;
done_testing();
