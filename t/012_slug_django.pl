# The slugs the extension derives from team and project names (slug.c)
# agree with Django's slugify(), which Sentry uses, cut to 50 characters.
#
# sentry_slugify() has no SQL function of its own; its result shows in the
# validator's message for two team names with one slug: name N and N + "!"
# ("!" is dropped by slugify) give 'team name "N!" has the same slug "S"'.
use strict;
use warnings;
use utf8;
use Encode qw(encode_utf8);
use IPC::Run qw(run);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $python = '/usr/bin/python3';
if (system($python, '-c', 'from django.utils.text import slugify') != 0)
{
	my $why = 'Django is missing (apt-get install python3-django)';
	if (($ENV{CI} // '') eq 'true')
	{
		fail($why);
		done_testing();
		exit;
	}
	plan skip_all => $why;
}

my @names = ('Backend', 'Back End', ' Back  End ', 'api.server', 'API Server',
	'Café', "\x{00dc}n\x{00ef}c\x{00f6}d\x{00e9} \x{fb01}le", "a\x{00a0}b", 'a - . - b',
	'_a_', '-a-', 'snake_case_name', 'Tabs	and	tabs', 'C++ & C#', '100%',
	'x' x 60, ('y' x 49) . ' z', 'Ωmega team', 'naïve-café', '日本 team', 'ⅷ roman');

my $json = JSON::PP->new->utf8->canonical;
my ($django_out, $err);
run([ $python, '-c',
	'import sys, json; from django.utils.text import slugify; '
	  . 'print(json.dumps([slugify(n)[:50] for n in json.load(sys.stdin)]))' ],
	'<', \$json->encode(\@names), '>', \$django_out, '2>', \$err)
  or die "Django failed: $err";
my $django = $json->decode($django_out);

# An old Django (2.2, Debian 11's, where t/pg_matrix.sh tests PostgreSQL 13)
# keeps leading and trailing dashes and underscores, which the Django of
# the Sentry releases the extension follows strips: it is no oracle for
# those names
my %old_django_differs;
my ($dashes) = grep { $names[$_] eq '-a-' } 0 .. $#names;
%old_django_differs = map { $_ => 1 } ('_a_', '-a-') if $django->[$dashes] ne 'a';

my $node = PostgreSQL::Test::Cluster->new('slug');
$node->init;
$node->append_conf('postgresql.conf',
	"sentry_fixtures.url_prefix = 'https://sentry.example.com'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sentry_fixtures');

foreach my $i (0 .. $#names)
{
	my $name = $names[$i];
	# a JSON string is a YAML double-quoted scalar
	my $fixture = "teams:\n  - name: " . JSON::PP->new->ascii->encode([$name]) =~ s/^\[|\]$//gr
	  . "\n  - name: " . JSON::PP->new->ascii->encode([ $name . '!' ]) =~ s/^\[|\]$//gr . "\n";
	$fixture =~ s/'/''/g;
	my $messages = $node->safe_psql('postgres',
		"SELECT string_agg(message, E'\\n') FROM sentry_fixtures_validate('$fixture')");
	my ($ours) = $messages =~ /has the same slug "([^"]*)"/;
	$ours = '' if $messages =~ /has no ASCII letter or digit/;
	SKIP:
	{
		skip "this Django keeps the dashes of \"$name\" that Sentry's strips", 1
		  if $old_django_differs{$name};
		# test names as UTF-8 bytes: a wide character in TAP output is a
		# warning, and PostgreSQL 17's test modules make warnings fatal
		is($ours, $django->[$i], encode_utf8("slug of \"$names[$i]\"")) or diag($messages);
	}
}

$node->stop;
done_testing();
