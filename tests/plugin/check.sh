# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the plugin's shell tests: counts checks and prints the summary
# line ctest's log shows ("N passed, N failed").
passed=0 failed=0

# check NAME EXPECTED ACTUAL
check() {
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf 'FAIL %s\n     expected: %s\n     got:      %s\n' "$1" "$2" "$3"
    fi
}

# finish: the summary line, and the exit status
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
