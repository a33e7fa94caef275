# Hashes made by sentry_password_hash() verify with Django's own
# check_password (the hasher Sentry runs), whatever the iteration count
# (the derivation is computed in slices, which must not change it), and
# Django's hashes have the same shape as ours.  A long derivation stops
# when its backend is cancelled or terminated, within 2 s.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use Test::More;
use Time::HiRes qw(time usleep);

my $django_check = <<'PYTHON';
import os, sys
from django.conf import settings
settings.configure(PASSWORD_HASHERS=[
    'django.contrib.auth.hashers.PBKDF2PasswordHasher'])
from django.contrib.auth.hashers import check_password, make_password
if sys.argv[1] == 'check':
    print(check_password(os.environ['PASSWORD'], os.environ['ENCODED']))
else:
    print(make_password(os.environ['PASSWORD']))
PYTHON

# Run the Python snippet with PASSWORD (and ENCODED) in its environment
sub django
{
	my ($action, $password, $encoded) = @_;
	local $ENV{PASSWORD} = $password;
	local $ENV{ENCODED} = $encoded // '';
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'python3', '-c', $django_check, $action ],
		'<', \undef, '>', \$out, '2>', \$err)
	  or die "python3 failed: $err";
	chomp $out;
	return $out;
}

my $node = PostgreSQL::Test::Cluster->new('password');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sentry_fixtures');

# psql's dollar quoting keeps the password verbatim
sub sql_hash
{
	my ($password, $iterations) = @_;
	return $node->safe_psql('postgres',
		"SELECT sentry_password_hash(\$pw\$$password\$pw\$, $iterations)");
}

my $shape = qr/^pbkdf2_sha256\$\d+\$[A-Za-z0-9]{22}\$[A-Za-z0-9+\/]{43}=$/;

foreach my $password ('correct horse battery staple', 'ünïcødé 🔑 pässwörd', '')
{
	my $encoded = sql_hash($password, 1000);
	like($encoded, $shape, "hash of '$password' has Django's shape");
	is(django('check', $password, $encoded), 'True',
		"Django verifies the hash of '$password'");
	is(django('check', $password . 'x', $encoded), 'False',
		"Django refuses a wrong password against the hash of '$password'");
}

# Iteration counts below, at and across the slices the derivation is cut in
foreach my $iterations (1, 2, 4095, 4096, 4097, 10001)
{
	is(django('check', 'sliced', sql_hash('sliced', $iterations)), 'True',
		"Django verifies a hash of $iterations iterations");
}

# The iteration count of the setting is the one Django reads back
my $from_setting = $node->safe_psql('postgres',
	"SET sentry_fixtures.password_iterations = 2000; "
	  . "SELECT sentry_password_hash('from the setting')");
like($from_setting, qr/^pbkdf2_sha256\$2000\$/, 'iterations come from the setting');
is(django('check', 'from the setting', $from_setting), 'True',
	'Django verifies a hash made with the setting\'s iterations');

# Django's own hashes look like ours: same algorithm tag, salt alphabet and length
my $made = django('make', 'made by Django');
SKIP:
{
	# Django 2.2 (Debian 11's, where t/pg_matrix.sh tests PostgreSQL 13)
	# salts with 12 characters; the Django of the Sentry releases the
	# extension follows with 22
	skip "this Django's salts are shorter than Sentry's Django's", 1
	  if $made =~ /^pbkdf2_sha256\$\d+\$[A-Za-z0-9]{12}\$/;
	like($made, $shape, 'Django makes hashes of the same shape');
}

# A 50-million-iteration hash (about a minute of CPU) stops at a cancel
# and at a terminate, within 2 s of it; the signal is sent, and the
# backend watched, from a second open session, so that no client start-up
# counts in the time
my $monitor = $node->background_psql('postgres');
foreach my $how ('cancel', 'terminate')
{
	my $session = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $session->query_safe('SELECT pg_backend_pid()');
	$session->query_until(qr/started/,
		"\\echo started\nSELECT sentry_password_hash('long', 50000000);\n");
	my $running = "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid AND state = 'active'";
	usleep(20_000) until $monitor->query_safe($running) eq '1';
	usleep(200_000);
	my $sent = time;
	$monitor->query_safe("SELECT pg_${how}_backend($pid)");
	usleep(5_000) while $monitor->query_safe($running) ne '0' && time - $sent < 60;
	my $elapsed = time - $sent;
	cmp_ok($elapsed, '<', 2, "a long hash stops within 2 s of a $how")
	  or diag(sprintf('it took %.2f s', $elapsed));
	note(sprintf('%s: stopped %.3f s after it', $how, $elapsed));
	eval { $session->quit };
}
$monitor->quit;

$node->stop;
done_testing();
