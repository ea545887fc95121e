# Run by tests/daemon/run (its check(), eventually(), PipeLog, daemon, env and top): the event
# log and the maximum demand of a running polymeterd on a private D-Bus session bus, read with
# polymeterctl.
#
# The simulated feeder: 230 V x 10 A at PF 1 on each phase = 3 x 2300 W = 6900 W import, no
# export. sim_speed = 1000: a 15-minute demand window passes in 0.9 s of real time (the sim's
# simulated clock is the meter's UTC clock). A full window holds 6900 W x 900 s = 1725 Wh:
# demand = 1 725 000 mWh x 3 600 000 / 900 000 ms = 6 900 000 mW = 6900 W. The registers are
# whole mWh at the window's two ends, so a window may show 1 mWh less: 1 mWh over 900 s =
# 4 mW; allowed: 0.008 W. Export never grew: 0 W.
# Then a restart with 5 A (3450 W): config_change names sim_current_ma, and the 6900 W peak of
# the month is still published (only kept in the store: the new run never reaches it).
ctl = os.path.join(os.path.dirname(daemon), "polymeterctl")
if not os.access(ctl, os.X_OK):
    ctl = os.path.join(top, "build/daemon/polymeterctl")
STATE_D = tempfile.mkdtemp(prefix="polymeterd-demand-")
bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
bus_env = dict(env, DBUS_SESSION_BUS_ADDRESS=bus.stdout.readline().strip())


def demand_conf(current_ma):
    f = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
    f.write(f"[daemon]\nstate_dir = {STATE_D}\ndbus = session\ndbus_interval_ms = 100\n"
            f"log_interval = 0\n[meter dem]\nsource = sim\nsim_current_ma = {current_ma}\n"
            "sim_speed = 1000\n")
    f.close()
    return f.name


def ctl_json(*args):
    out = subprocess.run([ctl, "--user", "--json", *args], capture_output=True, text=True,
                         env=bus_env, timeout=30)
    try:
        return json.loads(out.stdout)
    except ValueError:
        return {"error": out.stdout + out.stderr}


def peak(status, key):
    """The largest published peak of the current and previous month (the run may cross a
    month boundary of the simulated clock)."""
    got = [e for e in status.get(key, [])[:2] if e]
    return max(got, key=lambda e: e["w"]) if got else None


def intervals():
    return len(ctl_json("profile", "dem", "--from", "2000-01-01", "--to", "2100-01-01")
               .get("intervals", []))


def run_daemon(conf_path, min_intervals):
    """Runs the daemon until the store holds @min_intervals more profile intervals (15 min
    of the simulated clock each, the demand's windows too), at most 120 s of real time."""
    p = subprocess.Popen([daemon, "--config", conf_path], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, env=bus_env)
    start = []

    def stored_enough():
        n = intervals()
        if not start and n:
            start.append(n)
        return start and n >= start[0] + min_intervals

    eventually(stored_enough, 120, f"{min_intervals} more profile intervals in the store",
               interval=0.3)
    status = ctl_json("status", "dem")
    text = subprocess.run([ctl, "--user", "status", "dem"], capture_output=True, text=True,
                          env=bus_env, timeout=30).stdout
    events = ctl_json("events", "dem").get("events", [])
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=30)
    return p.returncode, err, status, text, events


c1 = demand_conf(10000)
# the first interval the daemon stores may be partial; two more: a full window has closed
rc, err, status, text, ev1 = run_daemon(c1, 2)
check("demand_daemon_clean_exit", rc == 0, err[-1500:])
imp, exp = peak(status, "MaximumDemandImport"), peak(status, "MaximumDemandExport")
check("demand_import_6900W", imp is not None and abs(imp["w"] - 6900.0) <= 0.008,
      str(status)[-600:])
check("demand_window_ends_on_quarter_hour",
      imp is not None and imp["end_utc_ns"] % (900 * 10**9) == 0, str(imp))
check("demand_export_0W", exp is not None and exp["w"] == 0.0, str(status)[-600:])
check("demand_in_status_text",
      re.search(r"maximum demand import: (this|last) month 6900\.0 W \(window ending "
                r"\d{4}-\d\d-\d\dT\d\d:(00|15|30|45):00Z\)", text) is not None, text[-600:])
check("event_daemon_start", [e["kind"] for e in ev1][-1:] == ["daemon_start"],
      str(ev1[-3:]))

c2 = demand_conf(5000)
rc, err, status2, text2, ev2 = run_daemon(c2, 0)
imp2 = peak(status2, "MaximumDemandImport")
check("demand_peak_survives_restart",
      rc == 0 and imp2 is not None and imp is not None and imp2["w"] == imp["w"] and
      imp2["end_utc_ns"] == imp["end_utc_ns"],
      f"before {imp}, after {imp2}")
kinds = [e["kind"] for e in ev2]
check("event_daemon_restart", "daemon_stop" in kinds and kinds.count("daemon_start") == 2,
      str(kinds))
chg = [e for e in ev2 if e["kind"] == "config_change"]
check("event_config_change_names_key", len(chg) == 1 and chg[0]["detail"] ==
      "sim_current_ma 10000 10000 10000 -> 5000 5000 5000",
      str(chg))
# the same configuration again: no new config_change
rc, err, _, _, ev3 = run_daemon(c2, 0)
check("no_config_change_when_same",
      rc == 0 and [e["kind"] for e in ev3].count("config_change") == 1,
      str([e["kind"] for e in ev3]))

# A remote context (iiod) carries no IIO events: said once, at start, even before it answers
# (nothing listens on port 9 here: the source keeps retrying).
pr = conf("[meter far]\nsource = iio\nuri = ip:127.0.0.1:9\n")
p = subprocess.Popen([daemon, "--config", pr], stdout=subprocess.DEVNULL,
                     stderr=subprocess.PIPE, text=True, env=env)
# until the second connection attempt (1 s after the first) has failed too
log = PipeLog(p.stderr)
log.wait_for("retrying in 2 s", 60, "the second connection attempt")
p.send_signal(signal.SIGTERM)
err = log.add(p.communicate(timeout=30)[1])
check("remote_context_no_events_said_once",
      p.returncode == 0 and err.count("chip events (swell, dip, reverse power, overcurrent) "
                                      "are not available through a remote context") == 1,
      err[-1000:])
os.unlink(pr)
bus.terminate()
bus.wait(timeout=10)
for f in (c1, c2):
    os.unlink(f)
