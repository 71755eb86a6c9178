# SPDX-License-Identifier: GPL-2.0-or-later
"""Counts the checks of a plugin test and prints the summary line ctest's
log shows ("N passed, N failed"). The shell tests run their Python with
PYTHONPATH set to this folder."""
import sys

_passed = 0
_failed = 0


def check(name, want, got, want_label="want", got_label="got"):
    """One check: want == got, else a FAIL line naming both values."""
    global _passed, _failed
    if want == got:
        _passed += 1
        return True
    _failed += 1
    w = max(len(want_label), len(got_label)) + 1
    print("FAIL", name, "\n     %-*s" % (w, want_label + ":"), want,
          "\n     %-*s" % (w, got_label + ":"), got)
    return False


def finish():
    """Prints the summary and exits 1 when a check failed."""
    print("%d passed, %d failed" % (_passed, _failed))
    sys.exit(1 if _failed else 0)
