#!/bin/sh
# The man page installs, renders without groff warnings, and documents
# every option --help lists (and --help every option the man page has).
# usage: test_manpage.sh AMTDIAG BUILD_DIR SOURCE_DIR
set -eu
amtdiag=$1 build=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" --component amtdiag >/dev/null
page=$(find "$tmp/prefix" -name amtdiag.1 | head -1)
[ -n "$page" ] || { echo "FAIL amtdiag.1 not installed"; exit 1; }
warnings=$(groff -man -ww -z "$page" 2>&1)
[ -z "$warnings" ] || { echo "FAIL groff warnings: $warnings"; exit 1; }
"$amtdiag" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$tmp/help"
sed 's/\\-/-/g' "$page" | grep -o -- '--[a-z][a-z-]*' | sort -u >"$tmp/man"
missing=$(comm -23 "$tmp/help" "$tmp/man")
extra=$(comm -13 "$tmp/help" "$tmp/man")
[ -z "$missing" ] || { echo "FAIL options in --help, not in the man page: $missing"; exit 1; }
[ -z "$extra" ] || { echo "FAIL options in the man page, not in --help: $extra"; exit 1; }
for short in -r -i -f -V -o; do
    grep -q -- "^ *$short " "$tmp/help" 2>/dev/null || "$amtdiag" --help | grep -q -- "  $short " ||
        { echo "FAIL --help lacks $short"; exit 1; }
done
echo "man page: $(wc -l <"$tmp/help") long options documented in both"
