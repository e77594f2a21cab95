#!/usr/bin/python3
"""A NetworkManager stand-in: the `Metered` property and its PropertiesChanged signal.

Owns org.freedesktop.NetworkManager on the bus whose address is its first argument (a
private bus a test starts and hands to synctray as DBUS_SYSTEM_BUS_ADDRESS), at
/org/freedesktop/NetworkManager, with the interface's `Metered` property (u: 0 unknown,
1 yes, 2 no, 3 guess-yes, 4 guess-no; the second argument, default 1) readable through
org.freedesktop.DBus.Properties (Get, GetAll). On stdin it takes one JSON object a line:
  {"metered": N}   sets Metered and emits PropertiesChanged, as NetworkManager does when
                   the primary connection's cost changes
and answers each with {"metered": N} on stdout. Prints {"ready": true} once it owns the
name. Needs python3-dbus and python3-gi (Debian).
"""
import json
import sys

import dbus
import dbus.bus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.NetworkManager"
PATH = "/org/freedesktop/NetworkManager"
PROPS = "org.freedesktop.DBus.Properties"


class NetworkManager(dbus.service.Object):
    def __init__(self, bus, metered):
        self.metered = metered
        dbus.service.Object.__init__(self, bus, PATH)

    def properties(self):
        return {"Metered": dbus.UInt32(self.metered)}

    @dbus.service.method(PROPS, in_signature="ss", out_signature="v")
    def Get(self, interface, prop):
        if interface != NAME or prop not in self.properties():
            raise dbus.exceptions.DBusException(
                "no such property", name="org.freedesktop.DBus.Error.UnknownProperty")
        return self.properties()[prop]

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.properties() if interface == NAME else {}

    @dbus.service.signal(PROPS, signature="sa{sv}as")
    def PropertiesChanged(self, interface, changed, invalidated):
        pass

    def set_metered(self, value):
        self.metered = value
        self.PropertiesChanged(NAME, {"Metered": dbus.UInt32(value)},
                               dbus.Array([], signature="s"))


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(sys.argv[1])
    metered = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    manager = NetworkManager(bus, metered)
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    loop = GLib.MainLoop()

    def command(source, _condition):
        line = source.readline()
        if not line:
            loop.quit()  # the test is gone
            return False
        cmd = json.loads(line)
        if "metered" in cmd:
            manager.set_metered(int(cmd["metered"]))
            print(json.dumps({"metered": manager.metered}), flush=True)
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, command)
    print(json.dumps({"ready": True}), flush=True)
    loop.run()
    del name


if __name__ == "__main__":
    main()
