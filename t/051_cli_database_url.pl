# sentry-fixtures reads DATABASE_URL as libpq reads a connection URI, and
# its password reaches no command line and no message: psql and
# pg_isready, run through wrappers that record their arguments, get the
# password in PGPASSWORD only, whether it came percent-encoded in the
# user information or in a password= parameter.  A URL that libpq would
# read otherwise than meant (a generated password with an unencoded "/"
# or "@") is refused before any client runs, and the error says what to
# encode without quoting the URL; a wrong password fails without showing
# it either.
use strict;
use warnings;
use FindBin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use lib $FindBin::Bin;
use SentryTest qw(password_superuser);
use Test::More;

my $cli = "$FindBin::Bin/../sentry-fixtures";

# Pieces of the password, each of which must show nowhere
my @pieces = ('Xq7k', 'Zk9w', 'Wm3p', 'Rt5q', 'Yp2z');
my $password = "$pieces[0]/$pieces[1]\@$pieces[2]:$pieces[3]?$pieces[4]";

my $node = PostgreSQL::Test::Cluster->new('cli_url');
$node->init;
$node->start;
password_superuser($node, 'url_admin', $password);

# psql and pg_isready wrappers: each call appends its arguments to $calls
my $dir = PostgreSQL::Test::Utils::tempdir;
my $calls = "$dir/calls";
# pg_config first in PATH is the server's (the harness puts its bindir
# first); PostgresNode of 13 has no config_data
chomp(my $bindir = `pg_config --bindir`);
foreach my $program ('psql', 'pg_isready')
{
	my $wrapper = "$dir/$program";
	open(my $out, '>', $wrapper) or die "could not write $wrapper: $!";
	print $out "#!/bin/bash\nprintf '%s\\n' \"$program \$*\" >> '$calls'\nexec '$bindir/$program' \"\$\@\"\n";
	close $out;
	chmod(0755, $wrapper);
}
my $fixture = "$dir/fixture.yml";
open(my $yml, '>', $fixture) or die "could not write $fixture: $!";
print $yml "url_prefix: http://sentry.test\nteams: []\n";
close $yml;

sub encode
{
	my ($text) = @_;
	$text =~ s/([^A-Za-z0-9._~-])/sprintf('%%%02X', ord $1)/ge;
	return $text;
}

# Run the command with DATABASE_URL as the only connection setting;
# returns the exit status, stdout, stderr and the clients' command lines.
sub cli
{
	my ($url, @args) = @_;
	local %ENV = %ENV;
	delete @ENV{qw(PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE SENTRY_DB_NAME SENTRY_DB_USER SENTRY_DB_PASSWORD SENTRY_POSTGRES_HOST SENTRY_POSTGRES_PORT)};
	$ENV{DATABASE_URL} = $url;
	$ENV{PATH} = "$dir:$ENV{PATH}";
	unlink $calls;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $cli, @args ], '<', \undef, '>', \$out, '2>', \$err);
	my $status = $? >> 8;
	my $lines = -e $calls ? slurp_file($calls) : '';
	note "sentry-fixtures @args: exit $status\n$out$err";
	return ($status, $out, $err, $lines);
}

# No piece of the password in $text
sub shows_no_password
{
	my ($text, $what) = @_;
	my @found = grep { index($text, $_) >= 0 } @pieces;
	is("@found", '', "$what: no part of the password");
}

my $host = encode($node->host);
my $port = $node->port;
my %urls = (
	'a percent-encoded password' => 'postgresql://url_admin:' . encode($password)
	  . "\@/sentry?host=$host&port=$port",
	'a password= parameter' => "postgres://url_admin\@/sentry?host=$host&port=$port&password="
	  . encode($password),);
foreach my $how (sort keys %urls)
{
	my ($status, $out, $err, $lines) = cli($urls{$how}, 'init', '--wait', '5');
	is($status, 0, "init with $how exits 0");
	like($lines, qr/^pg_isready .*^psql /ms, "init with $how ran pg_isready and psql");
	shows_no_password($lines, "the command lines of init with $how");
	shows_no_password($out . $err, "the output of init with $how");

	($status, $out, $err, $lines) = cli($urls{$how}, 'validate', $fixture);
	is($status, 0, "validate with $how exits 0");
	shows_no_password($lines . $out . $err, "validate with $how");
}

# Unencoded: libpq would take a port, or a host, out of the password
foreach my $case ([ 'postgres://url_admin:' . $password . "\@/sentry?host=$host", 'a port is not a number' ],
	[ "postgres://url_admin:$pieces[0]\@$pieces[1]\@localhost/sentry", 'a host holds an "@"' ])
{
	my ($url, $problem) = @$case;
	my ($status, $out, $err, $lines) = cli($url, 'validate', $fixture);
	is($status, 1, "an unencoded password ($problem) exits 1");
	like($err, qr/DATABASE_URL: \Q$problem\E; in a password, .* must be percent-encoded/,
		"and says what to encode ($problem)");
	is($lines, '', "no client ran ($problem)");
	shows_no_password($out . $err, "the error ($problem)");
	unlike($err, qr/postgres(ql)?:\/\//, "the error does not quote the URL ($problem)");
}

# A wrong password fails without showing it
my ($status, $out, $err, $lines) = cli("postgresql://url_admin:$pieces[0]$pieces[1]\@/sentry?host=$host&port=$port",
	'validate', $fixture);
is($status, 1, 'a wrong password exits 1');
like($err, qr/password authentication failed/, 'and says the password was refused');
shows_no_password($lines . $out . $err, 'a wrong password');

$node->stop;
done_testing();
