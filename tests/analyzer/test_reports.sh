#!/bin/sh
# The Markdown and HTML reports over every sample: written without a crash,
# carrying every cause the JSON reports, the HTML self-contained (nothing
# fetched from the network, no external scripts) and well-formed, capture
# text escaped, and each failing sample's HTML opened in headless Chromium,
# which must render an SVG ladder diagram without console errors.
# usage: test_reports.sh AMTDIAG SAMPLES_DIR
set -eu
amtdiag=$1 samples=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 n=0 opened=0
fail() {
    failed=$((failed + 1))
    echo "FAIL $*"
}

# Chromium is a declared dependency of this test: missing is a failure,
# not a skip, or the HTML would go unchecked without anyone noticing.
if ! command -v chromium >/dev/null 2>&1; then
    echo "FAIL chromium not found: install it (apt-get install chromium) to run this test"
    exit 1
fi

# run NAME FORMAT OUT -- amtdiag arguments: exit status 0 (no error
# findings) or 1 (error findings) is fine; 2, a signal or a sanitizer
# report is not.
run() {
    r_name=$1 r_format=$2 r_out=$3
    shift 4
    rc=0
    "$amtdiag" --format "$r_format" -o "$r_out" "$@" 2>"$tmp/stderr" || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        fail "$r_name: amtdiag --format $r_format exited $rc"
        sed 's/^/    /' "$tmp/stderr" | head -20
        return 1
    fi
    # The sanitizers exit 1 too, the status of a report with error
    # findings: their message is what tells them apart.
    if grep -Eq 'Sanitizer|runtime error:' "$tmp/stderr"; then
        fail "$r_name: amtdiag --format $r_format: sanitizer report"
        sed 's/^/    /' "$tmp/stderr" | head -30
        return 1
    fi
    if [ ! -s "$r_out" ]; then
        fail "$r_name: --format $r_format wrote nothing"
        return 1
    fi
}

: >"$tmp/written"
for dir in "$samples"/*/; do
    [ -f "$dir/expected.json" ] || continue
    name=$(basename "$dir")
    cap=$(ls "$dir"capture.pcapng "$dir"capture.pcap 2>/dev/null | head -1) || true
    if [ -z "$cap" ]; then
        fail "$name: no capture"
        continue
    fi
    set -- -r "$cap"
    [ -f "$dir/keylog.txt" ] && set -- "$@" --keylog "$dir/keylog.txt"
    [ -f "$dir/amt-key.pem" ] && set -- "$@" --key "$dir/amt-key.pem"
    n=$((n + 1))
    run "$name" json "$tmp/$name.json" -- "$@" || continue
    run "$name" markdown "$tmp/$name.md" -- "$@" || continue
    run "$name" html "$tmp/$name.html" -- "$@" || continue
    echo "$name" >>"$tmp/written"
done
[ "$n" -gt 0 ] || fail "no samples with expected.json under $samples"

# A capture whose file name is markup: both reports must show it as text.
# -V adds the transcript, which goes through the same escaping.
mkdir "$tmp/hostile"
hostile="$tmp/hostile/<b onmouseover=alert(1)>&\"x'.pcapng"
cp "$samples/mtls-no-client-cert/capture.pcapng" "$hostile"
if run hostile json "$tmp/hostile.json" -- -V -r "$hostile" &&
    run hostile html "$tmp/hostile.html" -- -V -r "$hostile" &&
    run hostile markdown "$tmp/hostile.md" -- -V -r "$hostile"; then
    echo hostile >>"$tmp/written"
    if grep -q '<b onmouseover' "$tmp/hostile.html" ||
        ! grep -qF '&lt;b onmouseover=alert(1)&gt;&amp;&quot;x&#39;.pcapng' "$tmp/hostile.html"; then
        fail "hostile: the file name is not escaped in the HTML"
    fi
    grep -qF '\<b onmouseover' "$tmp/hostile.md" ||
        fail "hostile: the file name is not made literal in the Markdown"
fi

# One Python for all reports (its start-up is slow): every cause token of
# the JSON in the Markdown and the HTML; the HTML self-contained, declaring
# UTF-8 and balanced (every element opened is closed in order). Prints FAIL
# lines, and writes the HTML files of samples with a connection rejected or
# failed to to-open.
if ! python3 - "$tmp" >"$tmp/checks" 2>&1 <<'EOF'; then
import json, re, sys
from html.parser import HTMLParser

tmp = sys.argv[1]
VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "source",
        "line", "polygon", "rect", "circle", "path"}
EXTERNAL = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?\s*|url\(\s*["']?\s*)(?:https?:)?//"""
                      r"""|<script[^>]*\bsrc\b""", re.I)

class Balance(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.err = [], None
    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        pass
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        elif not self.err:
            self.err = "</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing")

bad = 0
def fail(msg):
    global bad
    bad += 1
    print("FAIL " + msg)

with open(tmp + "/to-open", "w") as to_open:
    for name in open(tmp + "/written").read().split():
        base = tmp + "/" + name
        try:
            r = json.load(open(base + ".json", encoding="utf-8"))
        except ValueError as e:
            fail("%s: the JSON report does not parse: %s" % (name, e))
            continue
        md = open(base + ".md", encoding="utf-8").read()
        html = open(base + ".html", encoding="utf-8").read()
        tokens = {f["cause"] for f in r.get("findings") or []}
        failing = False
        for c in r.get("connections") or []:
            tokens.update(f["cause"] for f in c.get("findings") or [])
            failing = failing or c.get("outcome") in ("rejected", "failed")
        for t in sorted(tokens):
            if t not in md:
                fail("%s: cause %s missing from the Markdown" % (name, t))
            if t not in html:
                fail("%s: cause %s missing from the HTML" % (name, t))
        m = EXTERNAL.search(html)
        if m:
            fail("%s: the HTML refers to an external resource: %s" % (name, m.group(0)))
        if not html.startswith("<!DOCTYPE html>") or '<meta charset="utf-8">' not in html:
            fail("%s: the HTML lacks its doctype or its UTF-8 declaration" % name)
        p = Balance()
        p.feed(html)
        p.close()
        if p.err or p.stack:
            fail("%s: malformed HTML: %s" % (name, p.err or "left open: " + " ".join(p.stack)))
        # Chromium's start-up dominates: it opens one failing report of each
        # kind (TCP, TLS, mutual authentication, login, WS-Man, several
        # connections) and the hostile one, not all of them.
        if failing and name in ("syn-unanswered", "server-name-mismatch-ip",
                                "mtls-no-amt-console-eku", "digest-wrong-password",
                                "wsman-return-value", "mixed-outcomes", "hostile"):
            to_open.write(base + ".html\n")
sys.exit(1 if bad else 0)
EOF
    failed=$((failed + 1))
fi
cat "$tmp/checks"

# Chromium once per chosen failing sample: it renders the page with the same
# parser a customer's browser would; the DOM it dumps shows the ladder was
# parsed as SVG, and its log shows no console or load errors. Its start-up
# dominates the test's time, so as many run at once as there are CPUs (up
# to 4), each with its own profile (a browser locks its profile).
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -le 4 ] || jobs=4
i=0
while IFS= read -r html; do
    i=$((i + 1))
    slot=$((i % jobs))
    (
        rc=0
        timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
            --no-first-run --no-default-browser-check --disable-extensions \
            --user-data-dir="$tmp/profile.$slot" --enable-logging=stderr --v=0 \
            --dump-dom "file://$html" >"$tmp/c$i.dom" 2>"$tmp/c$i.err" || rc=$?
        echo "$rc" >"$tmp/c$i.rc"
    ) &
    [ "$slot" -ne 0 ] || wait
done <"$tmp/to-open"
wait
i=0
while IFS= read -r html; do
    i=$((i + 1))
    name=$(basename "$html" .html)
    opened=$((opened + 1))
    rc=$(cat "$tmp/c$i.rc")
    if [ "$rc" -ne 0 ]; then
        fail "$name: chromium exited $rc"
        sed 's/^/    /' "$tmp/c$i.err" | tail -10
        continue
    fi
    grep -q '<svg[^>]*class="ladder"' "$tmp/c$i.dom" ||
        fail "$name: no <svg class=\"ladder\"> in the DOM"
    grep -q 'Console' "$tmp/c$i.dom" || fail "$name: no \"Console\" lifeline in the DOM"
    if grep -E 'Uncaught|ERROR:CONSOLE|Failed to load' "$tmp/c$i.err" >"$tmp/errs"; then
        fail "$name: chromium reported errors"
        sed 's/^/    /' "$tmp/errs" | head -10
    fi
    if [ "$name" = hostile ] && grep -q '<b onmouseover' "$tmp/c$i.dom"; then
        fail "hostile: the file name became an element in the DOM"
    fi
done <"$tmp/to-open"

echo "reports: $n samples, $opened opened in chromium"
[ "$failed" -eq 0 ]
