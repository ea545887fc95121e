# SPDX-License-Identifier: GPL-2.0-only
"""One caller of tests/dbus/sysbus.py: run as the user under test, on the system bus given by
DBUS_SYSTEM_BUS_ADDRESS.

"calls" mode: reads a JSON list of calls [label, destination, path, interface, member,
signature, args] on stdin and makes each one, in order, as a method call of its own; writes one
JSON object {label: {"error": name, "message": text} or {"value": reply}} on stdout. The
arguments are marshalled by the signature (python3-dbus converts the JSON values).

"signal" mode (argument: an object path): waits for one PropertiesChanged from that object and
prints its interface, or "none" after the bound given as the second argument (seconds).
"""
import json
import sys

import dbus


def plain(v):
    """A reply as JSON: D-Bus containers as lists and objects, numbers and strings as they are."""
    if isinstance(v, dbus.Dictionary) or isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (dbus.Array, dbus.Struct, list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, float):
        return None if v != v else float(v)  # NaN has no JSON form
    if isinstance(v, int):
        return int(v)
    return str(v)


def calls():
    bus = dbus.SystemBus()
    out = {}
    for label, dest, path, iface, member, sig, args in json.load(sys.stdin):
        try:
            reply = bus.call_blocking(dest, path, iface, member, sig, args)
            out[label] = {"value": plain(reply)}
        except dbus.DBusException as e:
            out[label] = {"error": e.get_dbus_name(), "message": e.get_dbus_message()}
    json.dump(out, sys.stdout)


def signal(path, bound_s):
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    loop = GLib.MainLoop()
    seen = []

    def changed(iface, _changed, _invalidated):
        seen.append(str(iface))
        loop.quit()

    dbus.SystemBus().add_signal_receiver(changed, signal_name="PropertiesChanged",
                                         dbus_interface="org.freedesktop.DBus.Properties",
                                         path=path)
    # the bound only keeps a broken run finite: the meter sends every dbus_interval_ms
    GLib.timeout_add_seconds(int(bound_s), loop.quit)
    loop.run()
    print(seen[0] if seen else "none")


if __name__ == "__main__":
    if sys.argv[1] == "calls":
        calls()
    else:
        signal(sys.argv[2], sys.argv[3])
