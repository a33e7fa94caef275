# HostileFixtures.pm: the malformed and hostile fixtures, with what each
# must give.
#
# They are the corpus, t/corpus/*.yml (each file's first line is
# "# expect: <text>", text that a problem message must contain; the next,
# "# at: <path> <line>:<col>", is where that problem must point), and
# inputs too large or too odd to keep in files, made here: deep nesting,
# billion laughs, invalid UTF-8, NUL bytes, huge scalars, many problems.
# t/010_corpus.pl checks what each gives; bench/run.sh --corpus measures the
# time and memory each takes.
package HostileFixtures;

use strict;
use warnings;
use Exporter 'import';
use File::Basename qw(basename dirname);

our @EXPORT_OK = qw(hostile_fixtures);

# Write every case into $dir and return them, corpus first, as hashes:
#   name      what the case is
#   path      its file in $dir
#   db        'utf8', or 'sqlascii' for text a UTF-8 database refuses
#   expect    text a problem message must contain, or a regexp one must
#             match; undef when the database refuses the text itself
#   at        "<path> <line>:<col>": where that problem must point
#   secret    text that stands for a secret and must show in no message:
#             "Summer2024pass", in the corpus files that hold it
#   error_ok  for those, a regexp that the ERROR matches
#   corpus    true for the files of t/corpus
sub hostile_fixtures
{
	my ($dir) = @_;
	my @cases;
	my $add = sub {
		my ($name, $file, $content, %opts) = @_;
		my $path = "$dir/$file.yml";
		open(my $fh, '>:raw', $path) or die "could not write $path: $!";
		print $fh $content;
		close($fh);
		chmod(0644, $path);
		push @cases, { name => $name, path => $path, db => 'utf8', %opts };
	};

	foreach my $file (sort glob(dirname(__FILE__) . '/corpus/*.yml'))
	{
		my $content = do { local (@ARGV, $/) = $file; <> };
		my ($expect, $at) = $content =~ /\A# expect: (.*)\n# at: (.*)$/m
		  or die "$file does not start with \"# expect: \" and \"# at: \" lines";
		$add->(basename($file), basename($file, '.yml'), $content,
			expect => $expect, at => $at, corpus => 1,
			secret => ($content =~ /Summer2024pass/ ? 'Summer2024pass' : undef));
	}

	# Deep nesting, flow and block: stopped at the depth limit
	my $too_deep = 'nesting is deeper than 32 levels';
	$add->('deep flow nesting', 'deep_flow', 'teams: ' . ('[' x 1_000_000),
		expect => $too_deep);
	$add->('10,000-deep flow nesting', 'deep_flow_10k',
		'teams: ' . ('[' x 10_000) . (']' x 10_000), expect => $too_deep);
	$add->('many shallow lists', 'wide_lists',
		'teams: [' . join(',', ('[[]]') x 2_000_000) . "]\n",
		expect => qr/expected a map|expected a team|found a list/);
	$add->('deep block nesting', 'deep_block',
		join('', map { ('  ' x $_) . "- \n" } 0 .. 2000), expect => $too_deep);
	$add->('deep map nesting', 'deep_map',
		join('', map { ('  ' x $_) . "k$_:\n" } 0 .. 2000), expect => $too_deep);

	# Billion laughs: never expanded, refused at the first anchor
	my $laughs = "a: &a [" . join(',', ('"lol"') x 9) . "]\n";
	foreach my $i (1 .. 9)
	{
		my ($prev, $cur) = (chr(ord('a') + $i - 1), chr(ord('a') + $i));
		$laughs .= "$cur: &$cur [" . join(',', ("*$prev") x 9) . "]\n";
	}
	$add->('billion laughs', 'laughs', $laughs . "teams: *j\n",
		expect => 'anchors are not allowed');

	# Invalid UTF-8: the parser sees it in a database that does not check
	# encodings; a UTF-8 database refuses the text before the parser does
	my %bad_utf8 = (
		'invalid leading byte' => "teams:\n  - name: \xff\n",
		'invalid continuation' => "teams:\n  - name: \xc3\x28\n",
		'overlong encoding' => "teams:\n  - name: \xc0\xaf\n",
		'encoded surrogate' => "teams:\n  - name: \xed\xa0\x80\n",
		'truncated at the end' => "teams:\n  - name: \xe2\x82",
		'latin-1 text' => "organization: Soci\xe9t\xe9\n",
		'utf-16 bom' => "\xff\xfeteams: []\n",);
	foreach my $name (sort keys %bad_utf8)
	{
		(my $file = "utf8_$name") =~ s/\W/_/g;
		$add->("$name (SQL_ASCII)", $file, $bad_utf8{$name}, db => 'sqlascii',
			expect => qr/invalid YAML: .*(UTF-8|octet|Unicode)/i);
		$add->("$name (UTF-8)", $file, $bad_utf8{$name},
			error_ok => qr/invalid byte sequence for encoding "UTF8"/);
	}

	# A NUL byte: no text value can hold one, so the database refuses the
	# file before the parser sees it, whatever the encoding
	foreach my $db ('utf8', 'sqlascii')
	{
		$add->("NUL byte ($db)", 'nul_byte', "teams:\n  - name: a\0b\n", db => $db,
			error_ok => qr/invalid byte sequence for encoding "(UTF8|SQL_ASCII)": 0x00/);
	}

	# Huge scalars: refused by length, without trouble
	$add->('huge team name', 'huge_name', "teams:\n  - name: " . ('x' x 20_000_000) . "\n",
		expect => 'team name is longer than 64 characters');
	$add->('huge key', 'huge_key', '? ' . ('k' x 5_000_000) . "\n: 1\n",
		expect => qr/unknown key "k{64}\.\.\."/);
	$add->('huge DSN', 'huge_dsn',
		"teams:\n  - name: a\n    projects:\n      api: https://" . ('d' x 10_000_000) . "\n",
		expect => 'DSN is longer than 2048 characters');

	# Many problems: the list stops at a bound
	$add->('many unknown keys', 'many_keys', join('', map { "k$_: 1\n" } 1 .. 200_000),
		expect => 'too many problems; stopped after the first 1000');
	$add->('many teams', 'many_teams',
		"teams:\n" . join('', map { "  - {name: t$_}\n" } 1 .. 10_001),
		expect => 'fixture has more than 10000 teams');

	return @cases;
}

1;
