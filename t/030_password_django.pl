# Hashes made by sentry_password_hash() verify with Django's own
# check_password (the hasher Sentry runs), whatever the iteration count
# (the derivation is computed in slices, which must not change it), and
# Django's hashes have the same shape as ours.  A long derivation stops at
# statement_timeout, a cancel or a terminate within a tenth of its work
# (the backend's CPU time, against a reference hash).
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use Test::More;
use POSIX ();
use Time::HiRes qw(usleep);

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

# CPU time, in clock ticks, that process $pid has used so far (utime and
# stime of /proc/PID/stat), or undef once it has exited
sub cpu_ticks
{
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/stat") or return undef;
	my $stat = <$fh>;
	close($fh);
	return undef unless defined $stat;
	# the fields after the command name, which is in parentheses
	my @fields = split ' ', substr($stat, rindex($stat, ')') + 2);
	return $fields[11] + $fields[12];
}

# A long derivation is interrupted by statement_timeout, a cancel and a
# terminate, and must stop within a tenth of its work: the interrupt is
# served between its slices, not once it is done.  Work is measured as the
# backend's CPU time against that of a 1-million-iteration reference hash
# (the interrupted one has 100 million), so the bound follows the machine's
# speed and is not moved by its load as a wall-clock bound would be.
my $reference_session = $node->background_psql('postgres');
my $reference_pid = $reference_session->query_safe('SELECT pg_backend_pid()');
my $reference_start = cpu_ticks($reference_pid);
$reference_session->query_safe("SELECT sentry_password_hash('long', 1000000)");
my $reference = cpu_ticks($reference_pid) - $reference_start;
$reference = 1 if $reference < 1;
$reference_session->quit;
my $ticks_per_second = POSIX::sysconf(POSIX::_SC_CLK_TCK());
note("1 million iterations: $reference ticks of CPU ($ticks_per_second a second)");

my $monitor = $node->background_psql('postgres');
my %error = (
	statement_timeout => qr/canceling statement due to statement timeout/,
	cancel => qr/canceling statement due to user request/);
foreach my $how ('statement_timeout', 'cancel', 'terminate')
{
	my $session = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $session->query_safe('SELECT pg_backend_pid()');
	# the timeout comes after about twice the reference's work
	$session->query_safe(sprintf('SET statement_timeout = %d',
		2000 * $reference / $ticks_per_second + 1))
	  if $how eq 'statement_timeout';
	my $start = cpu_ticks($pid);
	$session->query_until(qr/started/,
		"\\echo started\nSELECT sentry_password_hash('long', 100000000);\n\\echo finished\n");
	if ($how ne 'statement_timeout')
	{
		# sent once the derivation has done about the reference's work
		# (or at once, should the backend have gone)
		while (1)
		{
			my $ticks = cpu_ticks($pid);
			last if !defined $ticks || $ticks - $start >= $reference;
			usleep(5_000);
		}
		$monitor->query_safe("SELECT pg_${how}_backend($pid)");
	}
	my $used;
	if ($how eq 'terminate')
	{
		# the last reading before the backend exits
		while (defined(my $ticks = cpu_ticks($pid)))
		{
			$used = $ticks - $start;
			usleep(1_000);
		}
	}
	else
	{
		$session->query_until(qr/finished/, '');
		$used = cpu_ticks($pid) - $start;
	}
	cmp_ok($used, '<', 10 * $reference,
		"a 100-million-iteration hash stops at a $how within a tenth of its work")
	  or diag("it used $used ticks of CPU; 1 million iterations use $reference");
	note("$how: stopped after $used ticks of CPU");
	like($session->{stderr}, $error{$how}, "the $how ends the statement with its error")
	  if $error{$how};
	eval { $session->quit };
}
$monitor->quit;

$node->stop;
done_testing();
