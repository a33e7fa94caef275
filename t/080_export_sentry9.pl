# sentry_fixtures_export() on the real Sentry 9.0 and 9.1 schemas: a few
# hundred projects with names that need quoting; the text is valid YAML
# (PyYAML reads the same names back), applying it to its own database
# changes nothing, and applying it to a fresh database and exporting again
# gives the same text.
use strict;
use warnings;
use utf8;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry9_dumps new_sentry_node load_sentry_dump apply_rows_and_writes);
use Test::More;

my %dumps = sentry9_dumps();

my $node = new_sentry_node('export9', <<'CONF');
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'http://sentry.test:9000'
CONF

# Names a careless writer would break: YAML indicators, words that read as
# null, booleans or numbers, quotes, backslashes, emoji.
my @hostile = ('null', 'yes', 'No', 'true', '123', '1e3', '-dash', '- item', '? what',
	': colon', 'a: b', 'a #hash', '#hash', '[list]', '{map}', '&anchor', '*alias',
	'!tag', '%percent', '@at', '`tick', "it's", 'say "hi"', 'back\\slash',
	'tab	inside', 'trailing ', ' leading', 'emoji 🚀', 'Ünïcödé', '|pipe', '>fold',
	'~tilde', 'semi; DROP TABLE sentry_project; --');

# A fixture of $n projects over 12 teams, hostile names among them
sub big_fixture
{
	my ($org, $n) = @_;
	my $yaml = "organization: $org\nteams:\n";
	my @teams = map { my $t = $hostile[$_ % @hostile] . " team $_"; $t } 0 .. 11;
	for my $t (0 .. $#teams)
	{
		(my $quoted = $teams[$t]) =~ s/(["\\])/\\$1/g;
		$quoted =~ s/\t/\\t/g;
		$yaml .= "  - name: \"$quoted\"\n    projects:\n";
		for (my $i = $t; $i < $n; $i += @teams)
		{
			(my $name = $hostile[$i % @hostile] . " p$i") =~ s/(["\\])/\\$1/g;
			$name =~ s/\t/\\t/g;
			my $id = 1000 + $i;
			my $public = sprintf('%032x', 0xa0000 + $i);
			my $secret = sprintf('%032x', 0xb0000 + $i);
			$yaml .= "      - name: \"$name\"\n";
			$yaml .= "        platform: python\n" if $i % 3 == 0;
			$yaml .= "        dsn: http://$public:$secret\@sentry.test:9000/$id\n";
		}
	}
	# names that are nothing but such a word (not all digits: their slug
	# would be, which the fixture may not give)
	my $i = $n;
	for my $word ('null', 'yes', '0x1F', 'off', '1.5e+3')
	{
		my $public = sprintf('%032x', 0xa0000 + $i);
		$yaml .= "      - name: \"$word\"\n        dsn: http://$public\@sentry.test:9000/" . (1000 + $i++) . "\n";
	}
	return $yaml;
}

# Does PyYAML (safe_load) read every project name of the export as a string?
sub pyyaml_project_names
{
	my ($file) = @_;
	my $script = <<'PY';
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
names = [p["name"] for t in doc["teams"] for p in t.get("projects", [])]
assert all(isinstance(n, str) for n in names)
sys.stdout.buffer.write("\n".join(sorted(names)).encode("utf-8"))
PY
	open(my $fh, '-|', 'python3', '-c', $script, $file) or die "could not run python3: $!";
	binmode $fh, ':encoding(UTF-8)';
	local $/;
	my $out = <$fh> // '';
	close $fh;
	return $out;
}

sub write_file
{
	my ($name, $text) = @_;
	my $file = $node->basedir . "/$name";
	open(my $fh, '>:encoding(UTF-8)', $file) or die "$file: $!";
	print $fh $text;
	close $fh;
	return $file;
}

sub export
{
	my ($db, $secrets) = @_;
	my $out = $node->safe_psql($db, "SELECT sentry_fixtures_export($secrets)");
	utf8::decode($out);
	return $out;
}

for my $version (sort keys %dumps)
{
	my ($src, $dst) = ("src$version", "dst$version");
	is(load_sentry_dump($node, $src, $dumps{$version}, no_owner => 1), 't', "$version: source bootstrapped");
	is(load_sentry_dump($node, $dst, $dumps{$version}, no_owner => 1), 't', "$version: destination bootstrapped");
	my $org = $node->safe_psql($src, 'SELECT slug FROM sentry_organization WHERE id = 1');
	$node->safe_psql($_, "ALTER DATABASE \"$_\" SET sentry_fixtures.organization = '$org'") for ($src, $dst);

	my $seed = write_file("seed-$version.yml", big_fixture($org, 300));
	$node->safe_psql($src, "SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$seed'))");
	is($node->safe_psql($src, 'SELECT count(*) FROM sentry_project'), '306', "$version: 305 projects seeded");

	my $exported = export($src, 'true');
	my $file = write_file("export-$version.yml", $exported);
	like($exported, qr/^organization: /, "$version: the export starts with the organization");
	like($exported, qr/^  - name: "null"$/m, "$version: a name that reads as null is quoted");
	like($exported, qr/^  - name: "0x1F"$/m, "$version: a name that reads as a number is quoted");
	like($exported, qr/^  - name: "yes"$/m, "$version: a name that reads as a boolean is quoted");
	like($exported, qr/^  - name: null p0$/m, "$version: other names stay plain when they can");
	is($node->safe_psql($src, "SELECT count(*) FROM sentry_fixtures_validate(pg_read_file('$file'))"),
		'0', "$version: the export is a valid fixture");

	my $names = $node->safe_psql($src, q{SELECT string_agg(name, E'\n' ORDER BY name COLLATE "C") FROM sentry_project});
	utf8::decode($names);
	is(pyyaml_project_names($file), $names, "$version: PyYAML reads back every project name");

	# the export applied to its own database changes nothing
	is(apply_rows_and_writes($node, $src, "pg_read_file('$file')"), "0\n0",
		"$version: applying the export to its own database returns no rows and writes none");

	# ... and to a fresh database gives the same export back
	$node->safe_psql($dst, "SELECT count(*) FROM sentry_fixtures_apply(pg_read_file('$file'))");
	is(export($dst, 'true'), $exported, "$version: a fresh database given the export exports the same text");

	# without secrets: public keys only, and a comment says so
	my $public = export($src, 'false');
	like($public, qr/\A# Secrets left out[^\n]*\norganization: /, "$version: a comment heads an export without secrets");
	unlike($public, qr/[0-9a-f]{32}:[0-9a-f]{32}\@/, "$version: no DSN has a secret key");
	like($public, qr{dsn: http://0{27}a0000\@sentry\.test:9000/1000$}m, "$version: DSNs keep the public key");
	$file = write_file("public-$version.yml", $public);
	is(apply_rows_and_writes($node, $src, "pg_read_file('$file')"), "0\n0",
		"$version: applying the export without secrets changes nothing either");
}

$node->stop;
done_testing();
