# SentryTest.pm: what the TAP tests of sentry_fixtures share.
#
# The real Sentry dumps live outside the repository (../shared); tests that
# need them fail in CI when they are missing and skip elsewhere.
package SentryTest;

use strict;
use warnings;
use Exporter 'import';
use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT_OK = qw(sentry_schemas sentry_dump sentry9_dumps new_sentry_node load_sentry_dump django_check_password
  table_checksum table_checksum_query sequence_values SEQUENCE_VALUES_QUERY schema_of
  state_digest write_fixture rule_keys rule_projects_sql rule_teams_yaml plan_then_apply
  apply_rows_and_writes extension_default_version password_superuser apply_statements);

# The folder of the real Sentry dumps: $SENTRY_SCHEMAS, else
# ../shared/sentry-schemas beside the checkout
sub sentry_schemas
{
	return $ENV{SENTRY_SCHEMAS} // dirname(__FILE__) . '/../../shared/sentry-schemas';
}

# Path of a dump in sentry_schemas(); when it is missing, fail under
# CI=true, else skip the whole test file.
sub sentry_dump
{
	my ($name) = @_;
	my $path = sentry_schemas() . "/$name";
	return $path if -f $path;
	if (($ENV{CI} // '') eq 'true')
	{
		BAIL_OUT("$path is missing: CI must have ../shared/sentry-schemas");
	}
	plan skip_all => "$path is missing: set SENTRY_SCHEMAS to the folder of the Sentry dumps to run this test";
	return undef;
}

# A started cluster, with the settings $conf (postgresql.conf lines) if
# given.
sub new_sentry_node
{
	my ($name, $conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', $conf) if defined $conf;
	$node->start;
	return $node;
}

# The real Sentry 9.0 and 9.1 dumps, by version (see sentry_dump)
sub sentry9_dumps
{
	return ('9.0' => sentry_dump('sentry-9.0.sql'), '9.1' => sentry_dump('sentry-9.1.sql'));
}

# Create database $db with the extension and load a dump into it through
# sentry_schema_bootstrap().
sub load_sentry_dump
{
	my ($node, $db, $dump, %opts) = @_;
	my $no_owner = $opts{no_owner} ? 'true' : 'false';
	$node->safe_psql('postgres', qq{CREATE DATABASE "$db"});
	$node->safe_psql($db, 'CREATE EXTENSION sentry_fixtures');
	return $node->safe_psql($db,
		"SELECT loaded FROM sentry_schema_bootstrap(pg_read_file('$dump'), no_owner => $no_owner)");
}

# The statement table_checksum runs on $db: one md5 per user table, over
# the tables $db has now
sub table_checksum_query
{
	my ($node, $db) = @_;
	my $query = $node->safe_psql($db, q{
		SELECT string_agg(format('SELECT %L || md5(coalesce(string_agg(t::text, '','' ORDER BY t::text), '''')) FROM %I.%I t',
		                         relname, schemaname, relname), ' UNION ALL ' ORDER BY relname)
		FROM pg_stat_user_tables});
	return "SELECT string_agg(c, ',' ORDER BY c) FROM ($query) AS s(c)";
}

# md5 of every user table of $db, to show that something left no trace
sub table_checksum
{
	my ($node, $db) = @_;
	return $node->safe_psql($db, table_checksum_query($node, $db));
}

# The statement sequence_values runs
use constant SEQUENCE_VALUES_QUERY => q{
	SELECT string_agg(sequencename || '=' || coalesce(last_value, 0), ',' ORDER BY sequencename)
	FROM pg_sequences};

# The last value of every sequence of $db (serial and identity alike)
sub sequence_values
{
	my ($node, $db) = @_;
	return $node->safe_psql($db, SEQUENCE_VALUES_QUERY);
}

# Does Django's own check_password() accept $password for $hash?
sub django_check_password
{
	my ($password, $hash) = @_;
	my $script = <<'PY';
import sys
import django
from django.conf import settings
settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
django.setup()
from django.contrib.auth.hashers import check_password
print("yes" if check_password(sys.argv[1], sys.argv[2]) else "no")
PY
	open(my $fh, '-|', 'python3', '-c', $script, $password, $hash)
	  or die "could not run python3: $!";
	my $out = <$fh> // '';
	close $fh;
	chomp $out;
	return $out eq 'yes';
}

# pg_dump --schema-only of $db, without the random \restrict keys of new pg_dumps
sub schema_of
{
	my ($node, $db) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'pg_dump', '--schema-only', '-d', $node->connstr($db) ],
		'>', \$out, '2>', \$err)
	  or die "pg_dump $db failed: $err";
	return join('', grep { !/^\\(un)?restrict / } split(/^/m, $out));
}

# A digest of every table of schema public, one "table md5" line each, that
# leaves out what differs between two equal applies: timestamps and the
# random validation hash of an email.  Two databases with equal digests
# hold the same rows.
sub state_digest
{
	my ($node, $db) = @_;
	return $node->safe_psql($db, <<'SQL');
CREATE FUNCTION pg_temp.state_digest(OUT tbl text, OUT digest text)
RETURNS SETOF record LANGUAGE plpgsql AS $fn$
DECLARE
	r record;
	cols text;
BEGIN
	FOR r IN SELECT c.oid, c.relname::text AS relname FROM pg_catalog.pg_class c
			 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
			 ORDER BY c.relname
	LOOP
		SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
		  FROM pg_catalog.pg_attribute a
		 WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
		   AND a.atttypid NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)
		   AND a.attname <> 'validation_hash';
		tbl := r.relname;
		EXECUTE format('SELECT md5(coalesce(string_agg(x::text, E''\n'' ORDER BY x::text), '''')) '
					   'FROM (SELECT %s FROM public.%I) AS x', cols, r.relname) INTO digest;
		RETURN NEXT;
	END LOOP;
END
$fn$;
SELECT tbl || ' ' || digest FROM pg_temp.state_digest();
SQL
}

# The scenario of the five project rules, which t/040 (Sentry 9) and t/070
# (current Sentry) run: keys 1 to 9 as 32 hex digits, the projects it
# starts from (organization 1, with the flags $flags), and the fixture's
# teams that meet them, one project per rule.
sub rule_keys
{
	return map { $_ => sprintf('%032x', $_) } 1 .. 9;
}

sub rule_projects_sql
{
	my ($flags) = @_;
	return "INSERT INTO sentry_project (id, name, slug, public, date_added, status, organization_id, flags) VALUES\n"
	  . join(",\n", map { "  ($_->[0], '$_->[1]', '$_->[1]', false, now(), 0, 1, $flags)" }
		  ([50, 'legacy'], [51, 'bystander'], [70, 'old-name'], [80, 'x'], [81, 'y'], [90, 'same']))
	  . ";\n";
}

sub rule_teams_yaml
{
	my %key = rule_keys();
	return <<"YAML";
teams:
  - name: Backend
    projects:
      legacy: http://$key{1}:$key{5}\@sentry.test/60
      new-name: http://$key{2}:$key{6}\@sentry.test/70
      same: http://$key{3}:$key{7}\@sentry.test/90
  - name: Web
    projects:
      - name: fresh
        platform: javascript
        dsn: http://$key{4}\@sentry.test/100
      - name: y
        dsn: http://$key{8}:$key{9}\@sentry.test/80
YAML
}

# Plan the fixture that the SQL expression $read gives, in $db, then apply
# it: the plan leaves every table and sequence as it was and returns
# exactly the rows of the real run.  Test names start with $label.
# Returns the apply's rows and its stderr.
sub plan_then_apply
{
	my ($node, $db, $read, $label) = @_;
	my $rows = "SELECT action, kind, name, id, detail FROM %s($read) ORDER BY 1, 2, 3, 4, 5";
	my ($before, $seq_before) = (table_checksum($node, $db), sequence_values($node, $db));
	my $planned = $node->safe_psql($db, sprintf($rows, 'sentry_fixtures_plan'));
	is(table_checksum($node, $db), $before, "${label}plan leaves every table as it was");
	is(sequence_values($node, $db), $seq_before, "${label}plan leaves every sequence as it was");

	my ($ret, $applied, $stderr) = $node->psql($db, sprintf($rows, 'sentry_fixtures_apply'));
	is($ret, 0, "${label}apply succeeds") or diag($stderr);
	is($applied, $planned, "${label}plan returned exactly the rows of the real run");
	return ($applied, $stderr);
}

# Apply the fixture that the SQL expression $read gives, in $db, in one
# transaction; returns "<report rows>\n<rows written>", the report rows
# counted after the SQL condition $filter when one is given ("0\n0": an
# apply with nothing to do).
sub apply_rows_and_writes
{
	my ($node, $db, $read, $filter) = @_;
	my $where = defined $filter ? "WHERE $filter" : '';
	return $node->safe_psql($db, qq{
		BEGIN;
		SELECT count(*) FROM sentry_fixtures_apply($read) $where;
		SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables;
		COMMIT;});
}

# Create $role, a superuser that logs in over the node's socket with
# $password only (SCRAM, also where the server's default is md5), for the
# tests of connection settings.
sub password_superuser
{
	my ($node, $role, $password) = @_;
	$node->safe_psql('postgres',
		"SET log_statement = 'none'; SET password_encryption = 'scram-sha-256'; "
		  . "CREATE ROLE $role LOGIN SUPERUSER PASSWORD '$password'");
	my $hba = $node->data_dir . '/pg_hba.conf';
	my $rules = PostgreSQL::Test::Utils::slurp_file($hba);
	open(my $fh, '>', $hba) or die "could not write $hba: $!";
	print $fh "local all $role scram-sha-256\n$rules";
	close $fh;
	$node->reload;
	return;
}

# The statements an apply of the fixture that the SQL expression $read
# gives runs inside the server in $db (nested ones, as pg_stat_statements
# counts them with track = all; the server must preload it): all but the
# reset, the apply itself and PostgreSQL's own foreign-key checks, which
# run once per row, and at commit as top-level statements for Sentry's
# deferred constraints.  They are told by their text: pg_stat_statements
# has its toplevel column only from 14 on.
sub apply_statements
{
	my ($node, $db, $read) = @_;
	$node->safe_psql($db, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
	$node->safe_psql($db, 'SELECT pg_stat_statements_reset()');
	$node->safe_psql($db, "SELECT count(*) FROM sentry_fixtures_apply($read)");
	return $node->safe_psql($db, q{
		SELECT sum(calls) FROM pg_stat_statements
		WHERE query NOT LIKE '%pg_stat_statements_reset(%' AND query NOT LIKE '%sentry_fixtures_apply(%'
		  AND query !~ '^SELECT (1|[$][0-9]+) FROM ONLY '
		  AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())});
}

# Write $content to a file the server can read; returns its path.
sub write_fixture
{
	my ($dir, $name, $content) = @_;
	my $path = "$dir/$name";
	open(my $fh, '>:raw', $path) or die "could not write $path: $!";
	print $fh $content;
	close($fh);
	chmod(0644, $path);
	return $path;
}

# The extension's default version, from its control file: the servers
# that sanitize.sh starts load the extension from a private directory,
# which pg_available_extensions does not list
sub extension_default_version
{
	my $control = dirname(__FILE__) . '/../sentry_fixtures.control';
	open(my $fh, '<', $control) or die "could not read $control: $!";
	my ($version) = join('', <$fh>) =~ /^default_version\s*=\s*'([^']*)'/m;
	close($fh);
	return $version;
}

1;
