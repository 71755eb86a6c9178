#!/bin/sh
# Installs the Debian packages amtdiag needs to build and test, and only
# those that are missing. As root it runs apt-get; otherwise it prints the
# exact command and fails, so nothing is changed behind the user's back.
set -eu

# build and run
PKGS="cmake make gcc pkg-config libpcap-dev libglib2.0-dev libssl-dev libjson-glib-dev"
# captures compressed with gzip, zstd or lz4, read as they stream; TLS
# certificates compressed with zlib, brotli or zstd (RFC 8879)
PKGS="$PKGS zlib1g-dev libzstd-dev liblz4-dev libbrotli-dev"
# the Wireshark plugin, and tshark/editcap/dumpcap as the test oracle
PKGS="$PKGS libwireshark-dev tshark wireshark-common"
# tests
PKGS="$PKGS libcmocka-dev python3 python3-jsonschema clang-format util-linux bsdutils groff-base openssl"
# tests/hostile: the time and memory bound of each case; compressed inputs
PKGS="$PKGS time gzip zstd lz4"
# the HTML report is opened in a real browser
PKGS="$PKGS chromium"
# libFuzzer targets: clang and its runtime (only a Recommends of clang)
PKGS="$PKGS clang libclang-rt-dev"
# the plugin under valgrind
PKGS="$PKGS valgrind"
# the third-party corpus (tests/corpus): network namespaces and veth pairs,
# and the clients it is recorded with besides openssl and python3
PKGS="$PKGS iproute2 curl wget"
# the plugin in the Wireshark GUI on a virtual display: driven with xdotool,
# menus read by OCR from screenshots, the copied table read from the clipboard
PKGS="$PKGS wireshark-qt xvfb xauth xdotool imagemagick tesseract-ocr xclip fonts-dejavu-core"
# the plugin against Debian 13's and unstable's Wireshark, in chroots;
# dpkg-dev and file for the Debian packages' dependencies (cpack runs
# dpkg-shlibdeps)
PKGS="$PKGS debootstrap dpkg-dev file"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "amtdiag needs these Debian packages:$missing" >&2
    echo "Install them as root with:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive $cmd" >&2
    exit 1
fi

echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
