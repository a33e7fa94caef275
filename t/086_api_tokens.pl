# Declared user auth tokens, on the current Sentry subset with current
# Sentry's sentry_apitoken table (taken from sentry-current-full.sql): a
# token is stored as Sentry stores the ones it issues, and a lookup done
# the way Sentry's UserAuthTokenAuthentication does it (SHA-256 hex of the
# token, computed here with Python's hashlib as Sentry's code does) finds
# it, for the right user; the report never shows the token, its hash or
# its last characters; a second apply writes nothing; new scopes are one
# update; another row holding the token is refused without showing it;
# Sentry 9, whose tokens have no hash, is refused with a clear error.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SentryTest qw(sentry_dump new_sentry_node load_sentry_dump write_fixture apply_rows_and_writes);
use Test::More;

my $modern = sentry_dump('sentry-modern-subset.sql');
my $full = sentry_dump('sentry-current-full.sql');
my $sentry9 = sentry_dump('sentry-9.1.sql');
my $node = new_sentry_node('api_tokens', <<'CONF');
sentry_fixtures.password_iterations = 1000
sentry_fixtures.url_prefix = 'http://sentry.test'
CONF
my $dir = PostgreSQL::Test::Utils::tempdir;
my $db = 'modern';
load_sentry_dump($node, $db, $modern, no_owner => 1);

# current Sentry's sentry_apitoken, as its migrations leave it
open(my $fh, '<', $full) or die "could not read $full: $!";
my $sql = do { local $/; <$fh> };
close $fh;
my ($create) = $sql =~ /^(CREATE TABLE "sentry_apitoken" \(.*?^\);)$/ms;
ok(defined $create, 'sentry-current-full.sql has the sentry_apitoken table');
$node->safe_psql($db, $create);

my $token = 'sntryu_' . ('0123456789abcdef' x 4);
$token =~ s/....$/beef/;
my $other = 'sntryu_' . ('fedcba9876543210' x 4);

sub fixture
{
	my ($scopes, $value, $cli) = @_;
	$cli //= $other;
	return "pg_read_file('" . write_fixture($dir, "t" . length($scopes) . substr($value, -4) . ".yml", <<"YAML") . "')";
organization: sentry
admin:
  email: admin\@example.com
  password: correct horse
users:
  - email: ci\@example.com
tokens:
  - name: terraform
    user: Admin\@Example.com
    scopes: [$scopes]
    token: $value
  - name: cli
    user: ci\@example.com
    scopes: [project:releases, org:read]
    token: $cli
YAML
}

# Sentry's own computation: hashlib.sha256(token.encode()).hexdigest()
sub sentry_hash
{
	my ($value) = @_;
	open(my $py, '-|', 'python3', '-c', 'import hashlib, sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())', $value)
	  or die "could not run python3: $!";
	my $hash = <$py>;
	close $py;
	chomp $hash;
	return $hash;
}

my $report = $node->safe_psql($db, 'SELECT action, kind, name, detail FROM sentry_fixtures_apply('
	  . fixture('org:read, project:write, team:write, org:read', $token) . ") WHERE kind = 'api_token' ORDER BY name");
is($report, "create|api_token|cli|user: ci\@example.com, scopes: org:read project:releases\n"
	  . "create|api_token|terraform|user: Admin\@Example.com, scopes: org:read project:write team:write",
	'each token is one create row naming its user and scopes');
my $hash = sentry_hash($token);
unlike($report, qr/\Q$token\E|\Q$other\E|$hash|beef/, 'the report shows no token, hash or last characters');

is($node->safe_psql($db, qq{SELECT u.email, t.name, t.token_type, t.token_last_characters,
		t.scope_list, t.scopes, t.expires_at IS NULL, t.refresh_token IS NULL, t.token = '$token'
	FROM sentry_apitoken AS t JOIN auth_user AS u ON u.id = t.user_id WHERE t.hashed_token = '$hash'}),
	'admin@example.com|terraform|sntryu_|beef|{org:read,project:write,team:write}|1058|t|t|t',
	"Sentry's lookup by the hash of the token finds it, for its user, stored as Sentry stores a user auth token");
is(apply_rows_and_writes($node, $db, fixture('org:read, project:write, team:write, org:read', $token)),
	"0\n0", 'a second apply writes nothing');

is($node->safe_psql($db, 'SELECT action, name, detail FROM sentry_fixtures_apply('
	  . fixture('org:read, alerts:write', $token) . ") WHERE kind = 'api_token'"),
	'update|terraform|user: Admin@Example.com, scopes: alerts:write org:read; token or scopes changed',
	'new scopes are one update row');
is($node->safe_psql($db, "SELECT scope_list, scopes FROM sentry_apitoken WHERE hashed_token = '$hash'"),
	'{alerts:write,org:read}|263168', 'with the scopes in both of Sentry\'s forms');

my ($ret, $out, $err) = $node->psql($db, 'SELECT count(*) FROM sentry_fixtures_apply('
	  . fixture('org:read', $other, 'sntryu_' . ('1' x 64)) . ')');
like($err, qr/ERROR:  token "terraform" is already held by API token \d+ of user \d+/,
	'a token another row holds is refused');
unlike($err, qr/\Q$other\E|sntryu_/, 'without showing it');

load_sentry_dump($node, 'sentry9', $sentry9, no_owner => 1);
($ret, $out, $err) = $node->psql('sentry9', 'SELECT count(*) FROM sentry_fixtures_apply('
	  . fixture('org:read', $token) . ')');
like($err, qr/ERROR:  this Sentry stores no hashed API tokens/, 'Sentry 9 is refused with a clear error');

done_testing();
