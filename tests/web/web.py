# SPDX-License-Identifier: GPL-2.0-only
"""polymeter-web against polymeterd with a simulated meter on a private session bus: its JSON
API and HTTP behaviour (bad requests, a slow client, many connections), then the page in
Debian's Chromium (tests/web/page.mjs). Run by tests/web/run: argv = polymeterd, polymeter-web,
the built front end, the screenshot's path."""
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests/lib"))
from checks import add, at_crash, check, eventually, finish, parse_result, wait_until  # noqa: E402

daemon, web, root, shot = sys.argv[1:5]
tmp = tempfile.mkdtemp(prefix="polymeter-web-")
procs = []


def stop_all():
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
            p.wait(timeout=30)


at_crash(stop_all)
bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
procs.append(bus)
env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.stdout.readline().strip(), TZ="UTC")

# 230 V on every phase; L1 10 A at PF 1 (2300 W), L2 20 A lagging 60 degrees (2300 W, PF 0.5),
# L3 5 A at 180 degrees (1150 W exported). sim_speed 1000: a 15-minute profile interval every
# 0.9 s of real time, so the plot has points within seconds. For that pace on a loaded machine
# under ASan: one scan a simulated second (1000 a real second, not 10 000), and a checkpoint a
# kWh: at 1 Wh (the default) 3.45 kW x 1000 crosses a checkpoint every millisecond, each an
# fsync'd SQLite commit, and the simulated clock fell so far behind that the page could load
# with fewer than three intervals (the checkpoint's cost is tests/daemon's and the bench's).
# The meter supply's voltage dips to 70 % for a simulated minute every simulated half hour:
# 60 ms every 1.8 s here.
conf = os.path.join(tmp, "polymeterd.conf")
with open(conf, "w", encoding="utf-8") as f:
    f.write(f"""[daemon]
state_dir = {tmp}
dbus = session
dbus_interval_ms = 200
log_interval = 0
[meter site]
source = sim
sim_current_ma = 10000 20000 5000
sim_angle_mdeg = 0 60000 180000
sim_speed = 1000
sim_rate_hz = 1
checkpoint_wh = 1000
time_zone = Europe/London
tariff_file = {TOP}/daemon/dist/tariff-examples/uk-economy7.json
account_mode = prepayment
[meter supply]
source = sim
sim_current_ma = 10000
sim_rate_hz = 1
sim_speed = 1000
checkpoint_wh = 1000
sim_dip_every_s = 1800
sim_dip_s = 60
sim_dip_percent = 70
""")
pmd = subprocess.Popen([daemon, "--config", conf], stdout=subprocess.DEVNULL,
                       stderr=open(os.path.join(tmp, "polymeterd.log"), "w"), env=env)
procs.append(pmd)
weblog = os.path.join(tmp, "web.log")
pw = subprocess.Popen([web, "--user", "--port", "0", "--root", root, "--max-connections", "64",
                       "--timeout", "2"], stdout=subprocess.DEVNULL, stderr=open(weblog, "w"),
                      env=env)
procs.append(pw)


def port():
    with open(weblog, encoding="utf-8") as f:
        for line in f:
            if "serving http://127.0.0.1:" in line:
                return int(line.split("127.0.0.1:")[1].split("/")[0])
    return None


PORT = wait_until(port, 60, "polymeter-web listening")


def get(path, method="GET", body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data


def snapshot_ready():
    s, _, d = get("/api/snapshot?meter=site")
    return s == 200 and json.loads(d)["values"].get("Connected") and json.loads(d)


snap = wait_until(snapshot_ready, 60, "a snapshot of the connected meter")
check("api_snapshot_meter", snap["meter"] == "site" and snap["daemon"] is True, str(snap)[:300])
# 230 V x 10 A at PF 1 = 2300 W; the total 2300 + 2300 - 1150 = 3450 W
check("api_snapshot_values", snap["values"]["PowerL1"] == 2300.0 and
      snap["values"]["Power"] == 3450.0, str(snap["values"])[:300])
check("api_snapshot_account", snap["account"].get("Mode") == "prepayment", str(snap["account"]))
s, h, d = get("/api/meters")
# in D-Bus's order, which is not fixed
check("api_meters", s == 200 and sorted(json.loads(d)["meters"]) == ["site", "supply"],
      d.decode())
check("api_no_store", h.get("Cache-Control") == "no-store", str(h))

# bad requests: a clear 4xx naming the fault, and polymeter-web goes on answering
for name, (method, path, body, want, text) in {
        "unknown_range": ("GET", "/api/profile?range=year", None, 400, "range 'year'"),
        "missing_range": ("GET", "/api/profile", None, 400, "range is missing"),
        "unknown_param": ("GET", "/api/snapshot?foo=1", None, 400, "'foo'"),
        "repeated_param": ("GET", "/api/profile?range=day&range=week", None, 400, "'range'"),
        "unknown_meter": ("GET", "/api/snapshot?meter=nope", None, 404, "no meter 'nope'"),
        "unknown_api": ("GET", "/api/topup", None, 404, "no such API path"),
        "unknown_file": ("GET", "/../../etc/passwd", None, 404, "no such page"),
        "post": ("POST", "/api/snapshot", b"x=1", 405, "only GET and HEAD"),
        "put": ("PUT", "/index.html", b"<p>", 405, "only GET and HEAD"),
        "get_with_body": ("GET", "/api/meters", b"{}", 400, "carries no body"),
}.items():
    s, h, d = get(path, method, body)
    check(f"bad_{name}_{want}", s == want and text in d.decode(), f"{s} {d[:200]!r}")
s, h, d = get("/api/snapshot", "POST", b"")
check("post_allow_header", h.get("Allow") == "GET, HEAD", str(h))
c = socket.create_connection(("127.0.0.1", PORT))
c.sendall(b"GARBAGE\r\n\r\n")
reply = c.recv(4096)
c.close()
# libmicrohttpd answers a malformed request line by closing the connection (or a 400)
check("garbage_request_refused", reply == b"" or reply.startswith(b"HTTP/1.1 4"),
      repr(reply[:80]))
s, h, d = get("/")
check("index_served", s == 200 and b"<title>polymeter</title>" in d and
      "default-src 'self'" in h.get("Content-Security-Policy", ""), str(h))

# a slow client: one that sends half a request and stops, and one that does not read a
# month's profile, hold nothing up; the stalled one is closed after the idle timeout (2 s)
stall = socket.create_connection(("127.0.0.1", PORT))
stall.sendall(b"GET /api/snapshot HTTP/1.1\r\nHost: x\r\n")
lazy = socket.create_connection(("127.0.0.1", PORT))
lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
for _ in range(50):
    lazy.sendall(b"GET /api/profile?range=month HTTP/1.1\r\nHost: x\r\n\r\n")
s, _, _ = get("/api/snapshot")
check("answers_beside_slow_clients", s == 200)
stall.settimeout(30)
check("stalled_client_closed_at_timeout", stall.recv(100) == b"")
stall.close()
lazy.close()

# many connections at once (40 of the 64 allowed), all open before any is answered:
# polymeter-web answers every one and is still up
socks = [socket.create_connection(("127.0.0.1", PORT)) for _ in range(40)]
for sk in socks:
    sk.sendall(b"GET /api/meters HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
answered = 0
for sk in socks:
    sk.settimeout(60)
    data = b""
    while True:
        chunk = sk.recv(65536)
        if not chunk:
            break
        data += chunk
    answered += data.startswith(b"HTTP/1.1 200")
    sk.close()
check("forty_connections_all_answered", answered == 40, f"{answered} of 40")
check("web_still_running", pw.poll() is None)

# at the connection cap (docs/web.md: max_connections, more wait in the backlog): a second
# polymeter-web allowing 4, held by 4 clients that send half a request; a 5th is not accepted
# (it waits in the listening socket's queue, as the kernel counts it) and is answered once one
# of the 4 goes
capped_log = os.path.join(tmp, "web-capped.log")
capped = subprocess.Popen([web, "--user", "--port", "0", "--root", root, "--max-connections",
                           "4", "--timeout", "600"], stdout=subprocess.DEVNULL,
                          stderr=open(capped_log, "w"), env=env)
procs.append(capped)


def capped_port():
    with open(capped_log, encoding="utf-8") as f:
        m = re.search(r"serving http://127\.0\.0\.1:(\d+)/", f.read())
    return m and int(m.group(1))


CAPPED = wait_until(capped_port, 60, "the capped polymeter-web listening")


def accept_queue(port):
    """Connections waiting in the listening socket's accept queue (/proc/net/tcp's rx_queue
    of a socket in state 0A, LISTEN)."""
    with open("/proc/net/tcp", encoding="ascii") as f:
        for line in f.readlines()[1:]:
            local, state, queues = line.split()[1], line.split()[3], line.split()[4]
            if state == "0A" and int(local.split(":")[1], 16) == port:
                return int(queues.split(":")[1], 16)
    return None


held = [socket.create_connection(("127.0.0.1", CAPPED)) for _ in range(4)]
for sk in held:
    sk.sendall(b"GET /api/meters HTTP/1.1\r\nHost: x\r\n")
check("cap_four_accepted", eventually(lambda: accept_queue(CAPPED) == 0, 60, "4 accepted"))
fifth = socket.create_connection(("127.0.0.1", CAPPED))
fifth.sendall(b"GET /api/meters HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
check("cap_fifth_waits_in_the_backlog",
      eventually(lambda: accept_queue(CAPPED) == 1, 60, "the 5th in the accept queue"),
      f"accept queue {accept_queue(CAPPED)}")
fifth.setblocking(False)
try:
    early = fifth.recv(100)
except BlockingIOError:
    early = None
check("cap_fifth_not_answered_while_at_the_cap", early is None, repr(early))
held.pop().close()
fifth.setblocking(True)
fifth.settimeout(60)
reply = b""
while chunk := fifth.recv(65536):
    reply += chunk
check("cap_fifth_answered_once_one_goes", reply.startswith(b"HTTP/1.1 200"), repr(reply[:80]))
check("cap_queue_empty_again", accept_queue(CAPPED) == 0, str(accept_queue(CAPPED)))
for sk in held + [fifth]:
    sk.close()
capped.terminate()
check("capped_web_clean_exit", capped.wait(timeout=30) == 0)

# the page in Chromium. It fetches the profile when it opens (then every 30 s): the plot's
# check needs three intervals in the day's range by then
wait_until(lambda: len(json.loads(get("/api/profile?range=day&meter=site")[2])["end_ms"]) >= 3,
           120, "three profile intervals")
res = subprocess.run(["node", os.path.join(TOP, "tests/web/page.mjs"),
                      f"http://127.0.0.1:{PORT}/", "site", shot, "supply"],
                     capture_output=True, text=True, env=env)
print(res.stdout, end="")
print(res.stderr[-3000:], file=sys.stderr, end="")
got = [parse_result(line) for line in res.stdout.splitlines() if line.startswith("page: ")]
got = [g for g in (parse_result(line.split(": ", 1)[1]) for line in res.stdout.splitlines()
                   if line.startswith("page: ")) if g]
if got:
    add(*got[-1])
check("page_test_ran", got and res.returncode == 0, f"rc {res.returncode}")
check("screenshot_kept", os.path.getsize(shot) > 10000 if os.path.exists(shot) else False)

pw.terminate()
check("web_clean_exit", pw.wait(timeout=30) == 0)
stop_all()
finish()
