# ondelete_data.c is what tools/gen-ondelete.pl makes from Sentry's
# on_delete tables (../shared/sentry-schemas, data/sentry-9.0-dropped-models.tsv)
# and data/deletion-tasks.tsv now: the generated tables are not edited by
# hand, and not stale.
use strict;
use warnings;
use File::Basename qw(dirname);
use FindBin;
use lib $FindBin::Bin;
use IPC::Run;
use SentryTest qw(sentry_dump);
use Test::More;

my $schemas = dirname(sentry_dump('sentry-9-on-delete.tsv'));
sentry_dump('sentry-current-on-delete.tsv');
my $top = "$FindBin::Bin/..";

my ($generated, $err) = ('', '');
ok(IPC::Run::run([ 'perl', "$top/tools/gen-ondelete.pl", $schemas ], '>', \$generated, '2>', \$err),
	'tools/gen-ondelete.pl runs') or diag($err);
open(my $fh, '<', "$top/ondelete_data.c") or die "ondelete_data.c: $!";
my $committed = do { local $/; <$fh> };
close($fh);
ok($generated eq $committed,
	'ondelete_data.c is up to date (regenerate: tools/gen-ondelete.pl ../shared/sentry-schemas > ondelete_data.c)');
like($committed, qr/\{"sentry_useroption", "project_id", "sentry_project", ON_DELETE_CASCADE, true, "FlexibleForeignKey"\}/,
	'Sentry 9: a user option goes with its project');
like($committed, qr/\{"sentry_projectbookmark", "project_id", "sentry_project", ON_DELETE_CASCADE, false, "FlexibleForeignKey"\}/,
	'a bookmark goes with its project (a field without a constraint)');

done_testing();
