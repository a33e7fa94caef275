# Several keys per project (a project's keys list), on the real Sentry 9.1
# schema and on the current Sentry subset: the listed keys are created with
# their label, status and rate limit; a second apply writes nothing; a
# change of label, status or rate limit is one update row; a key is matched
# by its public key, also on another project (it moves); keys the fixture
# does not list stay, and go when pruning; on current Sentry every key has
# its mapping row; two keys of a project with one secret are refused; and
# export writes a keys list for a project with more than one key, which
# applies to its own database without a write and to a fresh database as
# the same keys (export -> apply -> export gives the same text).
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump write_fixture apply_rows_and_writes);
use Test::More;

my %dumps = ('9.1' => sentry_dump('sentry-9.1.sql'), modern => sentry_dump('sentry-modern-subset.sql'));
my $node = new_sentry_node('project_keys', <<'CONF');
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'http://sentry.test'
CONF
my $tempdir = PostgreSQL::Test::Utils::tempdir;
my %k = map { $_ => sprintf('%032x', 0xabc000 + $_) } 1 .. 9;
my %s = map { $_ => sprintf('%032x', 0xdef000 + $_) } 1 .. 9;

# The fixture: storefront with a keys list, api with a dsn and a keys
# list; $browser gives the Browser key's lines after its dsn, $extra more
# keys of storefront.
sub fixture
{
	my (%o) = @_;
	my $browser = $o{browser} // "            active: false\n            rate_limit: {count: 100, window: 60}\n";
	my $extra = $o{extra} // '';
	return <<"YAML";
organization: sentry
admin:
  email: admin\@example.com
  password: correct horse
teams:
  - name: Web
    projects:
      - name: storefront
        platform: javascript
        keys:
          - label: Default
            dsn: http://$k{1}:$s{1}\@sentry.test/35
          - label: Browser
            dsn: http://$k{2}\@sentry.test/35
$browser$extra      - name: api
        dsn: http://$k{3}:$s{3}\@sentry.test/36
        keys:
          - label: Backup
            dsn: http://$k{4}\@sentry.test/36
YAML
}

sub read_of
{
	my ($name, $yaml) = @_;
	return "pg_read_file('" . write_fixture($tempdir, $name, $yaml) . "')";
}

my $keys_sql = q{SELECT project_id, public_key, label, status, rate_limit_count, rate_limit_window
	FROM sentry_projectkey WHERE project_id IN (35, 36) ORDER BY project_id, public_key};
my $report = 'SELECT action, kind, name, detail FROM sentry_fixtures_apply(%s) ORDER BY 1, 2, 3, 4';

for my $version (sort keys %dumps)
{
	my $db = "keys_$version" =~ s/\./_/gr;
	load_sentry_dump($node, $db, $dumps{$version}, no_owner => 1);

	my $read = read_of("$db-1.yml", fixture());
	$node->safe_psql($db, sprintf($report, $read));
	is($node->safe_psql($db, $keys_sql), join("\n",
		"35|$k{1}|Default|0||", "35|$k{2}|Browser|1|100|60",
		"36|$k{3}|Default|0||", "36|$k{4}|Backup|0||"),
		"$version: every listed key is created with its label, status and rate limit");
	is(apply_rows_and_writes($node, $db, $read), "0\n0", "$version: a second apply writes nothing");

	if ($version eq 'modern')
	{
		is($node->safe_psql($db, q{SELECT string_agg(m.public_key, ',' ORDER BY m.public_key)
			FROM sentry_projectkeymapping AS m JOIN sentry_projectkey AS k
			ON k.id = m.project_key_id AND k.public_key = m.public_key WHERE k.project_id IN (35, 36)}),
			join(',', map { $k{$_} } 1 .. 4), "$version: every key has its mapping row");
	}

	# label, status and rate limit change; an unlisted key of the project
	# stays; a key of api listed under storefront moves
	$node->safe_psql($db, qq{
		INSERT INTO sentry_projectkey (id, project_id, public_key, secret_key, roles, status, data, label)
		VALUES (900, 35, '$k{5}', '$s{5}', 1, 0, '{}', 'Unlisted'),
		       (901, 36, '$k{6}', '$s{6}', 1, 0, '{}', 'Wanderer')});
	my $wanderer = "          - label: Wanderer\n            dsn: http://$k{6}\@sentry.test/35\n";
	my $changed = fixture(browser => '', extra => $wanderer) =~ s/label: Browser/label: Web SDK/r;
	$read = read_of("$db-2.yml", $changed);
	is($node->safe_psql($db, sprintf($report, $read)), join("\n",
		"update|project_key|storefront|project_id: 36 -> 35",
		"update|project_key|storefront|status: 1 -> 0, label: Browser -> Web SDK, rate_limit: 100/60s -> (none)"),
		"$version: a changed key is one update row, a key of another project moves");
	is($node->safe_psql($db, "SELECT label FROM sentry_projectkey WHERE public_key = '$k{5}'"),
		'Unlisted', "$version: a key the fixture does not list stays without prune");

	$read = read_of("$db-3.yml", "prune: true\n" . $changed);
	my ($unlisted, $backup) = ($k{5}, $k{4});
	like($node->safe_psql($db, sprintf($report, $read)),
		qr/^delete\|project_key\|storefront\|public_key: $unlisted; not in the fixture; [^\n]*$/,
		"$version: prune deletes the key the fixture does not list, and only it");
	is($node->safe_psql($db, "SELECT count(*) FROM sentry_projectkey WHERE project_id IN (35, 36)"), '5',
		"$version: the listed keys stay");
	if ($version eq 'modern')
	{
		is($node->safe_psql($db, "SELECT count(*) FROM sentry_projectkeymapping WHERE public_key = '$k{5}'"),
			'0', "$version: the pruned key's mapping row goes with it");
	}

	# one secret for two keys of a project
	my ($ret, $out, $err) = $node->psql($db, sprintf($report, read_of("$db-dup.yml",
		fixture(extra => "          - dsn: http://$k{7}:$s{1}\@sentry.test/35\n"))));
	like($err, qr/ERROR:  two keys of project "storefront" have the same secret key/,
		"$version: two keys of a project with one secret are refused");

	# export: a keys list for projects with several keys, round trip
	$node->safe_psql($db, "UPDATE sentry_projectkey SET status = 1, rate_limit_count = 5, rate_limit_window = 3600"
		. " WHERE public_key = '$k{4}'");
	my $export = $node->safe_psql($db, 'SELECT sentry_fixtures_export()');
	like($export, qr/keys:\n(?:.*\n)*?\s+- label: Backup\n\s+dsn: http:\/\/$backup(?::[0-9a-f]{32})?\@sentry.test\/36\n\s+active: false\n\s+rate_limit:\n\s+count: 5\n\s+window: 3600\n/,
		"$version: export writes a keys list with label, status and rate limit");
	my $exported = read_of("$db-export.yml", $export);
	is(apply_rows_and_writes($node, $db, $exported), "0\n0",
		"$version: the export applies to its own database without a write");

	my $fresh = "${db}_fresh";
	load_sentry_dump($node, $fresh, $dumps{$version}, no_owner => 1);
	$node->safe_psql($fresh, "SELECT count(*) FROM sentry_fixtures_apply($exported)");
	is($node->safe_psql($fresh, 'SELECT sentry_fixtures_export()'), $export,
		"$version: export -> apply to a fresh database -> export gives the same text");
	is($node->safe_psql($fresh, $keys_sql), $node->safe_psql($db, $keys_sql),
		"$version: the fresh database has the same keys, labels, statuses and rate limits");
}

done_testing();
