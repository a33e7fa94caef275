# The release's version and license are stated consistently: the Makefile's
# EXTVERSION is the control file's default_version, the version of
# META.json (as semver), of its provided extension and of the install script
# it names, of "sentry-fixtures --version", of the newest entries of
# CHANGELOG.md and debian/changelog, and there is an update script from
# every older release's install script; debian/pgversions and META.json
# claim the majors supported (13 to 18: tested on 13, 15, 17 and 18, with
# 14 and 16 between them); the license is the PostgreSQL
# License in LICENSE, META.json and debian/copyright.  Needs no server.
use strict;
use warnings;
use FindBin;
use IPC::Run qw(run);
use JSON::PP;
use Test::More;

my $top = "$FindBin::Bin/..";

sub slurp
{
	my ($name) = @_;
	open(my $fh, '<', "$top/$name") or die "could not read $name: $!";
	local $/;
	return scalar <$fh>;
}

my ($version) = slurp('Makefile') =~ /^EXTVERSION\s*=\s*(\S+)\s*$/m;
ok(defined $version, 'the Makefile defines EXTVERSION');
$version //= '';
(my $semver = $version) =~ s/^(\d+\.\d+)$/$1.0/;

my ($control) = slurp('sentry_fixtures.control') =~ /^default_version\s*=\s*'([^']*)'/m;
is($control, $version, "the control file's default_version is EXTVERSION");
ok(-f "$top/sentry_fixtures--$version.sql", "sentry_fixtures--$version.sql installs it");

my $meta = decode_json(slurp('META.json'));
is($meta->{version}, $semver, "META.json's version is EXTVERSION ($semver)");
is($meta->{provides}{sentry_fixtures}{version}, $semver, "META.json's extension version is EXTVERSION");
is($meta->{provides}{sentry_fixtures}{file}, "sentry_fixtures--$version.sql",
	"META.json names EXTVERSION's install script");

my $out;
run([ "$top/sentry-fixtures", '--version' ], '>', \$out);
is($out, "sentry-fixtures $version\n", 'sentry-fixtures --version prints EXTVERSION');

my ($changelog) = slurp('CHANGELOG.md') =~ /^## (\S+)/m;
is($changelog, $version, "CHANGELOG.md's newest entry is EXTVERSION");
my ($debian) = slurp('debian/changelog') =~ /^\S+ \(([^)]*)\)/;
is($debian, $version, "debian/changelog's newest entry is EXTVERSION");

# Every older install script is a release a database can be updated from
for my $script (glob("$top/sentry_fixtures--*.sql"))
{
	my ($old) = $script =~ /--([^-]+)\.sql$/ or next;
	next if $old eq $version;
	ok(-f "$top/sentry_fixtures--$old--$version.sql", "an update script leads from $old to $version");
}

# The PostgreSQL majors claimed are those pg_compat.h bridges and
# t/pg_matrix.sh brackets: 13 to 18
is(slurp('debian/pgversions'), join('', map { "$_\n" } 13 .. 18), 'debian/pgversions lists 13 to 18');
is($meta->{prereqs}{runtime}{requires}{PostgreSQL}, '13.0.0', 'META.json requires PostgreSQL 13');

like(slurp('LICENSE'), qr/\APostgreSQL License\n/, 'LICENSE is the PostgreSQL License');
is($meta->{license}, 'postgresql', 'META.json names the PostgreSQL License');
like(slurp('debian/copyright'), qr/^Files: \*\n[^\n]*\nLicense: PostgreSQL\n/m,
	'debian/copyright names the PostgreSQL License');

done_testing();
