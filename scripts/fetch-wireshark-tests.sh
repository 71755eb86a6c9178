#!/bin/sh
# Takes Wireshark's TLS decryption test captures and keys from Debian's
# `wireshark` source package into tests/corpus/wireshark, checked against the
# SHA-256 sums in tests/corpus/wireshark/SHA256SUMS. The files are committed;
# this script says where they came from and refreshes them from another
# Debian release. It reads the Debian archive through apt with a sources list
# of its own (the system's apt configuration is not changed).
# usage: scripts/fetch-wireshark-tests.sh [SUITE]   (default: bookworm)
set -eu
suite=${1:-bookworm}
dest=$(cd "$(dirname "$0")/.." && pwd)/tests/corpus/wireshark
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/src"
echo "deb-src http://deb.debian.org/debian $suite main" >"$tmp/sources.list"
apt="-o Dir::Etc::SourceList=$tmp/sources.list -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State::Lists=$tmp/lists -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $apt update >/dev/null
# shellcheck disable=SC2086
(cd "$tmp/src" && apt-get $apt source --download-only wireshark >/dev/null)
orig=$(ls "$tmp"/src/wireshark_*.orig.tar.*)
top=$(tar tf "$orig" | head -1 | cut -d/ -f1)
captures="rsasnakeoil2.pcap dmgr.pcapng dhe1.pcapng.gz tls-renegotiation.pcap
  tls12-aes128ccm.pcap tls12-aes256gcm.pcap tls12-chacha20poly1305.pcap
  tls13-rfc8446.pcap tls12-dsb.pcapng"
keys="rsasnakeoil2.key key.p12 dhe1_keylog.dat tls12-chacha20poly1305.keys
  tls13-rfc8446.keys tls13-rfc8446-noearly.keys"
members=""
for f in $captures; do members="$members $top/test/captures/$f"; done
for f in $keys; do members="$members $top/test/keys/$f"; done
# shellcheck disable=SC2086
tar xf "$orig" -C "$tmp" $members
for f in $captures; do cp "$tmp/$top/test/captures/$f" "$dest/"; done
for f in $keys; do cp "$tmp/$top/test/keys/$f" "$dest/"; done
(cd "$dest" && sha256sum -c SHA256SUMS) || {
    echo "fetch-wireshark-tests: the files differ from SHA256SUMS (another release?)" >&2
    exit 1
}
echo "tests/corpus/wireshark: $(basename "$orig")"
