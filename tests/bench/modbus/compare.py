#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Modbus TCP bench: Modbus TCP servers side by side at 1, 16 and 64 masters
(tests/bench/modbus/load.c: each master one request outstanding, 125 registers from 40000).
Prints figures, never a verdict.

usage: compare.py LOAD SECONDS ROUNDS NAME=COMMAND... [-- ...]
  each server: NAME=COMMAND, COMMAND a shell-split command line that listens on a port the
  kernel picks and prints "port N" once it does; the first is the one under test, the one
  named "libmodbus" the reference every ratio is taken against

Each round runs every server at each number of masters, one after the other, the order
rotating between rounds so that a change of the machine's load favours no one; the table
gives the medians over the rounds: requests/s, p50 and p99 latency as the masters see it, the
server's CPU (user + system, /proc/PID/stat) per request and as a share of one core, and the
throughput ratio to libmodbus with the range of the per-round ratios. The machine is shared
(the masters and the servers on the same cores), so the range says how far to trust a ratio.
"""
import os
import re
import shlex
import statistics
import subprocess
import sys

LOAD, SECS, ROUNDS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
SERVERS = [a.split("=", 1) for a in sys.argv[4:]]
MASTERS = (1, 16, 64)
TICK = os.sysconf("SC_CLK_TCK")


def started(cmd):
    """A server that prints "port N" once it listens: (process, port)."""
    p = subprocess.Popen(shlex.split(cmd), stdout=subprocess.PIPE, text=True)
    m = re.match(r"port (\d+)", p.stdout.readline())
    if not m:
        p.kill()
        sys.exit(f"{cmd}: did not start")
    return p, int(m.group(1))


def cpu_s(pid):
    """User + system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (stat fields 14, 15)


def run(proc, port, masters):
    """One load run: req/s, p50 and p99 (us), CPU per request (us), CPU share of a core."""
    c0 = cpu_s(proc.pid)
    out = subprocess.run([LOAD, str(port), str(masters), str(SECS), "40000", "125"],
                         capture_output=True, text=True, check=True).stdout
    cpu = cpu_s(proc.pid) - c0
    f = out.split()  # clients N req/s R p50_us P p99_us Q errors E
    rate, p50, p99, errors = float(f[3]), float(f[5]), float(f[7]), int(f[9])
    if errors:
        sys.exit(f"port {port}: {errors} exception answers")
    return {"rate": rate, "p50": p50, "p99": p99, "cpu_req": cpu / (rate * SECS) * 1e6,
            "cpu": cpu / SECS}


def main():
    names = [n for n, _ in SERVERS]
    procs = {}
    try:
        for name, cmd in SERVERS:
            procs[name] = started(cmd)
        res = {(s, n): [] for s in names for n in MASTERS}
        for r in range(ROUNDS):
            order = names[r % len(names):] + names[:r % len(names)]
            for n in MASTERS:
                for s in order:
                    res[s, n].append(run(*procs[s], n))
    finally:
        for p, _ in procs.values():
            p.terminate()
            p.wait()

    def med(s, n, k):
        return statistics.median(x[k] for x in res[s, n])

    print(f"Modbus TCP, FC 0x03 x 125 registers, {SECS} s a run, medians of {ROUNDS} rounds "
          "(the order of the servers rotating)")
    for name, cmd in SERVERS:
        print(f"  {name}: {os.path.basename(shlex.split(cmd)[0])} "
              f"{' '.join(shlex.split(cmd)[1:])}")
    print(f"{'masters':>7}  {'server':<16} {'req/s':>8} {'p50 us':>8} {'p99 us':>8} "
          f"{'CPU us/req':>10} {'CPU':>5}  vs libmodbus (range over the rounds)")
    for n in MASTERS:
        for s in names:
            line = (f"{n:>7}  {s:<16} {med(s, n, 'rate'):8.0f} {med(s, n, 'p50'):8.1f} "
                    f"{med(s, n, 'p99'):8.1f} {med(s, n, 'cpu_req'):10.2f} "
                    f"{med(s, n, 'cpu') * 100:4.0f}%")
            if s != "libmodbus" and "libmodbus" in names:
                ratios = [a["rate"] / b["rate"]
                          for a, b in zip(res[s, n], res["libmodbus", n])]
                line += (f"  {med(s, n, 'rate') / med('libmodbus', n, 'rate'):.2f} "
                         f"({min(ratios):.2f}-{max(ratios):.2f}), p99 "
                         f"{med(s, n, 'p99') / med('libmodbus', n, 'p99'):.2f}x")
            print(line)


main()
