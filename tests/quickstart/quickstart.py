#!/usr/bin/python3
"""The README's quick start, literally (run by tests/quickstart/run from the top directory).

`make run` is started as a terminal starts a command: in a process group of its own, whose
Ctrl-C is SIGINT to that whole group. Each run gets a scratch directory (POLYMETER_RUN_DIR) and
free ports, so it cannot disturb a `make run` of the person running the tests. "Nothing left
running" is checked as the terminal would see it: no process left in that group.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))
from checks import PipeLog, check, finish  # noqa: E402

CTL = "build/daemon/polymeterctl"
READY = "Ctrl-C here stops polymeterd and the bus."
STOPPED = "make run: stopped polymeterd and its bus"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_members(pgid):
    """The pids whose process group is @pgid (from /proc/PID/stat, field 5)."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(name))
    return pids


def start(run_dir):
    env = dict(os.environ, POLYMETER_RUN_DIR=run_dir, POLYMETER_MODBUS_PORT=str(free_port()),
               POLYMETER_DLMS_PORT=str(free_port()))
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    p = subprocess.Popen(["make", "-s", "run"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    return p, PipeLog(p.stdout)


def ended(p, log):
    """make run's whole output once it has ended (its pipe closed: nothing kept it open)."""
    return log.add(p.communicate(timeout=600)[0])


def reap(pgid):
    """After the checks: whatever a failed stop left in the group, so no test leaks it."""
    if group_members(pgid):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def in_env(run_dir, *args):
    """A command after `. DIR/env`, as the README's second terminal runs it."""
    return subprocess.run(["bash", "-c", f'. "{run_dir}/env" && exec "$@"', "sh", *args],
                          capture_output=True, text=True, timeout=120)


def first_run(tmp):
    run_dir = os.path.join(tmp, "first")
    p, log = start(run_dir)
    ready = log.wait_for(READY, 600, "make run to say how to reach it")
    check("run_says_how_to_reach_it", ready and re.search(
        r"^  export DBUS_SESSION_BUS_ADDRESS='unix:[^']+'$", log.text, re.M) is not None and
        f"{CTL} --user status" in log.text.replace(os.getcwd() + "/", ""), log.text)
    r = in_env(run_dir, CTL, "--user", "status")
    # the README's feeder: 2.3 kW on L1, 4.6 kVA x 0.5 = 2.3 kW on L2, 1.15 kW exported on
    # L3: 2300 + 2300 - 1150 = 3450 W in total, 5 + 10 + 20 = 35 A
    check("status_on_the_private_bus",
          r.returncode == 0 and "meter sim: connected" in r.stdout and
          re.search(r"^total\s+230\.00\s+35\.000\s+3450\.0\s", r.stdout, re.M) is not None,
          r.stdout + r.stderr)
    # the price in the tariff's currency after the rate and its name in the tariff file
    # (uk-economy7.json: rate 1 "night" at 0.1523 or 0.1675 GBP, rate 2 "day" at 0.3012 or
    # 0.3315, by block)
    check("status_shows_the_account",
          re.search(r"^account   prepayment, balance \S+ GBP, tariff Economy 7 Saver, weekends "
                    r"off-peak: rate (1 \(night\), 0\.1(523|675)|2 \(day\), 0\.3(012|315))0* GBP "
                    r"per kWh, supply ", r.stdout, re.M) is not None, r.stdout)
    r = in_env(run_dir, CTL, "--user", "profile", "--plot")
    check("profile_plot_of_today", r.returncode == 0 and r.stdout.startswith("meter sim: "),
          r.stdout + r.stderr)
    r = in_env(run_dir, CTL, "--help")
    check("help", r.returncode == 0 and "\n  status " in r.stdout, r.stdout + r.stderr)
    watch = subprocess.Popen(["bash", "-c", f'. "{run_dir}/env" && exec "$@"', "sh", CTL,
                              "--user", "watch"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    wlog = PipeLog(watch.stdout)
    wlog.wait_for("\n", 120, "watch's first line")
    check("watch_plain_line", re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ sim P 3450\.0 W import ",
                                       wlog.text) is not None, wlog.text)
    pgid = p.pid
    os.killpg(pgid, signal.SIGINT)
    out = ended(p, log)
    check("ctrl_c_stops_everything", STOPPED in out and not group_members(pgid),
          f"{out} left: {group_members(pgid)}")
    reap(pgid)
    wout, werr = watch.communicate(timeout=120)
    check("watch_leaves_when_the_daemon_stops",
          watch.returncode == 1 and "polymeterd stopped (org.polymeter.Meter1 left the session "
          "bus): watch ends" in werr, f"rc={watch.returncode} {werr}")
    check("env_file_removed", not os.path.exists(os.path.join(run_dir, "env")))


def ctrl_c_ten_times(tmp):
    """Ctrl-C once polymeterd runs (even rounds) and while the bus is still starting (odd)."""
    bad = []
    for i in range(10):
        run_dir = os.path.join(tmp, f"round{i}")
        p, log = start(run_dir)
        if i % 2 == 0:
            ok = log.wait_for(READY, 600, f"round {i} ready")
        else:
            ok = log.wait_for(lambda _t: os.path.exists(os.path.join(run_dir, "bus")) or
                              log.closed, 600, f"round {i} bus")
        os.killpg(p.pid, signal.SIGINT)
        out = ended(p, log)
        left = group_members(p.pid)
        if not ok or left or STOPPED not in out:
            bad.append((i, ok, left, out[-300:]))
        reap(p.pid)
    check("ctrl_c_ten_times_nothing_left", not bad, repr(bad))


def daemon_dies(tmp):
    """polymeterd killed: make run says so, stops the bus, and ends."""
    run_dir = os.path.join(tmp, "dies")
    p, log = start(run_dir)
    log.wait_for(READY, 600, "make run ready")
    daemons = [pid for pid in group_members(p.pid)
               if open(f"/proc/{pid}/comm").read().strip() == "polymeterd"]
    for pid in daemons:
        os.kill(pid, signal.SIGKILL)
    out = ended(p, log)
    check("daemon_killed_stops_the_bus",
          len(daemons) == 1 and "make run: polymeterd exited (137)" in out and STOPPED in out
          and not group_members(p.pid), f"{daemons} {out}")
    reap(p.pid)


def example_sim_carries_load(tmp):
    """The example configuration's simulated meter, uncommented as it stands, carries a load:
    its lines from [meter sim] to sim_rate_hz, one simulated hour on the simulated clock."""
    with open("daemon/dist/polymeterd.conf.example") as f:
        text = f.read().splitlines()
    start = text.index("#[meter sim]")
    end = next(i for i in range(start, len(text)) if text[i].startswith("#sim_rate_hz"))
    block = [ln[1:] for ln in text[start:end + 1] if re.match(r"#(\[|[a-z_]+ = )", ln)]
    conf = os.path.join(tmp, "example.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\nstate_dir = none\ndbus = none\nlog_interval = 0\n" +
                "\n".join(block) +
                "\nsim_start = 2026-01-01T00:00:00Z\nsim_end = 2026-01-01T01:00:00Z\n")
    r = subprocess.run(["build/daemon/polymeterd", "--config", conf], capture_output=True,
                       text=True, timeout=600)
    import json
    summ = [json.loads(ln) for ln in r.stdout.splitlines() if '"finished"' in ln]
    # L1 230 V x 10 A = 2300 W; L2 230 x 20 x cos 60 deg = 2300 W; L3 230 x 5 exported =
    # 1150 W: one hour gives +A 2 300 000 mWh on L1 and L2, -A 1 150 000 on L3, and the
    # total, the three phases netted, +A (2300 + 2300 - 1150) x 1 h = 3 450 000 mWh
    reg = summ[0].get("registers_mwh", {}) if summ else {}
    check("example_sim_carries_load",
          r.returncode == 0 and reg.get("A+") == [3450000, 2300000, 2300000, 0] and
          reg.get("A-") == [0, 0, 0, 1150000], f"{block} {reg} {r.stderr[-500:]}")


def main():
    # the Makefile's targets are absolute paths (BUILD = $(CURDIR)/build)
    r = subprocess.run(["make", "-s", os.path.abspath(CTL),
                        os.path.abspath("build/daemon/polymeterd")], capture_output=True,
                       text=True)
    if r.returncode:
        check("build", False, r.stdout + r.stderr)
        return
    with tempfile.TemporaryDirectory(prefix="pm-quickstart-") as tmp:
        first_run(tmp)
        ctrl_c_ten_times(tmp)
        daemon_dies(tmp)
        example_sim_carries_load(tmp)


if __name__ == "__main__":
    main()
    finish()
