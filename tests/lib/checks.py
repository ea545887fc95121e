# SPDX-License-Identifier: GPL-2.0-only
"""What the Python test harnesses share: PASS/FAIL counting with the "N passed, N failed" last
line that scripts/check.sh adds up, and bounded waits on a state change.

    sys.path.insert(0, os.path.join(TOP, "tests/lib"))
    from checks import check, eventually, finish, wait_until

check(name, cond, detail) prints "PASS name" or "FAIL name: detail" and counts it; finish()
prints "N passed, N failed" and exits with status 1 when anything failed. A script that dies of
an unexpected error still ends with that line, the error counted as one more failure, after the
cleanups registered with at_crash() have run.

A test never sleeps a fixed time to let something happen: it waits for the state change that
says it happened (a D-Bus property, a sequence number, a line in a log, a file, a socket that
accepts), polled with a bound that only keeps a broken run finite:
wait_until(predicate, timeout, what) returns the predicate's value or raises WaitTimeout
naming what was awaited; eventually(predicate, timeout) is the same as a bool for check().
"""
import codecs
import os
import re
import select
import sys
import time

RESULT_LINE = re.compile(r"(\d+) passed, (\d+) failed")

_count = {"passed": 0, "failed": 0}
_cleanups = []


def check(name, cond, detail=""):
    """Counts one check and prints its PASS or FAIL line; returns the condition as a bool."""
    ok = bool(cond)
    if ok:
        _count["passed"] += 1
        print(f"PASS {name}", flush=True)
    else:
        _count["failed"] += 1
        why = "condition false" if detail is None or detail == "" else detail
        print(f"FAIL {name}: {why}", flush=True)
    return ok


def add(passed, failed):
    """Adds the counts of a sub-harness (its own PASS/FAIL lines are already printed)."""
    _count["passed"] += passed
    _count["failed"] += failed


def counts():
    """(passed, failed) so far."""
    return _count["passed"], _count["failed"]


def parse_result(line):
    """(passed, failed) of a "N passed, N failed" line, None for any other line."""
    m = RESULT_LINE.fullmatch(line.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def summary():
    """Prints the last line; returns the exit status (1 when anything failed)."""
    print(f"{_count['passed']} passed, {_count['failed']} failed", flush=True)
    return 1 if _count["failed"] else 0


def finish():
    """Prints the last line and exits: status 1 when anything failed."""
    sys.exit(summary())


def at_crash(fn):
    """Runs fn() (e.g. killing the processes a script started) if the script dies of an
    unexpected error, before the last line is printed."""
    _cleanups.append(fn)


def _crashed(kind, value, tb):
    """An unexpected error still ends with the last line, counted as a failure."""
    sys.__excepthook__(kind, value, tb)
    for fn in reversed(_cleanups):
        try:
            fn()
        except Exception as e:  # pylint: disable=broad-except
            print(f"cleanup after the error failed: {e!r}", file=sys.stderr)
    check("no_unexpected_error", False, f"{kind.__name__}: {value}")
    sys.exit(summary() or 1)


sys.excepthook = _crashed


class WaitTimeout(Exception):
    """What a test waited for did not happen within the bound."""


def wait_until(predicate, timeout, what, interval=0.1, ignore=()):
    """Polls predicate() every @interval s until it returns a true value, which is returned.
    Exceptions of the types in @ignore count as "not yet". After @timeout s (a bound that
    keeps a broken run finite, not a figure under test) raises WaitTimeout naming @what."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = predicate()
        except ignore:
            got = None
        if got:
            return got
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def eventually(predicate, timeout, what="", interval=0.1, ignore=()):
    """True once predicate() is true within @timeout s; False after it, saying on stderr what
    was awaited (the check that follows reports the failure)."""
    try:
        wait_until(predicate, timeout, what, interval, ignore)
        return True
    except WaitTimeout as e:
        if what:
            print(e, file=sys.stderr, flush=True)
        return False


class PipeLog:
    """What a child process writes to a pipe (its stderr, say), read as it comes, so that a
    test can wait for a line to appear. After p.communicate(), add() the rest: .text is then
    the whole output."""

    def __init__(self, pipe):
        self.fd = pipe.fileno()
        self.text = ""
        self.closed = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def poll(self, timeout=0.0):
        """Reads what is there (waiting at most @timeout s for something); returns .text."""
        if not self.closed and select.select([self.fd], [], [], timeout)[0]:
            data = os.read(self.fd, 65536)
            self.closed = not data
            self.text += self._decoder.decode(data, final=self.closed)
        return self.text

    def wait_for(self, want, timeout, what=""):
        """Reads until @want (a string, or a predicate over the text so far) is there: True;
        False when the pipe closes first or after @timeout s, saying so on stderr."""
        found = (lambda t: want in t) if isinstance(want, str) else want
        deadline = time.monotonic() + timeout
        while not found(self.text):
            left = deadline - time.monotonic()
            if self.closed or left <= 0:
                why = "the pipe closed" if self.closed else f"timed out after {timeout:g} s"
                print(f"{why} waiting for {what or repr(want)}", file=sys.stderr, flush=True)
                return False
            self.poll(min(left, 0.5))
        return True

    def add(self, rest):
        """Appends what was read from the pipe after (communicate()'s part); returns .text."""
        self.text += rest or ""
        return self.text
