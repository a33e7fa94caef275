# Secrets are compared in constant time: t/constant_time.c, built outside
# the server with password.c and run under valgrind's memcheck, marks the
# digests and hashes undefined and checks that no branch or table lookup
# depends on them, and that a stored hash is compared with a fixture's in
# one comparison of the whole text (a memcmp() control shows that the
# method catches a comparison that stops early).
use strict;
use warnings;
use FindBin;
use File::Temp qw(tempdir);
use IPC::Run;
use Test::More;

my $top = "$FindBin::Bin/..";

if (system('valgrind --version >/dev/null 2>&1') != 0)
{
	BAIL_OUT('valgrind is missing: CI must have it (setup.sh installs it)')
	  if ($ENV{CI} // '') eq 'true';
	plan skip_all => 'valgrind is missing: install it to run this test';
}

my $build = tempdir(CLEANUP => 1);
my $includedir = `pg_config --includedir-server`;
my $pkglibdir = `pg_config --pkglibdir`;
chomp($includedir, $pkglibdir);

my ($out, $err) = ('', '');
my $built = IPC::Run::run(
	[ 'gcc', '-g', '-O2', '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter',
	  "-I$top/fuzz", "-I$top", "-I$includedir",
	  "$top/t/constant_time.c", "$top/fuzz/pg_shim.c",
	  "-L$pkglibdir", '-lpgport', '-lcrypto', '-o', "$build/constant_time" ],
	'>', \$out, '2>', \$err);
ok($built, 'the constant-time harness builds') or diag($err);

($out, $err) = ('', '');
IPC::Run::run([ 'valgrind', '--tool=memcheck', '-q', "$build/constant_time" ],
	'>', \$out, '2>', \$err);
my @checks = $out =~ /^((?:not )?ok) - (.*)$/mg;
cmp_ok(scalar(@checks) / 2, '>=', 11, 'the harness ran every check');
while (my ($status, $what) = splice(@checks, 0, 2))
{
	is($status, 'ok', $what);
}
is($? >> 8, 0, 'the harness exits 0') or diag($err);

done_testing();
