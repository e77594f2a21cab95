#!/usr/bin/python3
"""A logind stand-in: the Manager's `Inhibit`, answered with the write end of a pipe.

Owns org.freedesktop.login1 on the bus whose address is its first argument (a private bus
a test starts and hands to synctray as DBUS_SYSTEM_BUS_ADDRESS), at /org/freedesktop/login1.
`Inhibit(what, who, why, mode)` prints {"inhibit": [what, who, why, mode]} on stdout and
returns the write end of a fresh pipe, as logind does; it keeps the read end and prints
{"released": why} the moment every copy of the write end is closed (the caller let go).
With "refuse" as the second argument, Inhibit answers with an AccessDenied error instead
(and prints {"refused": why}). On stdin, any line is answered with {"pong": N}, N the
number of inhibitors still held. Prints {"ready": true} once it owns the name. Needs
python3-dbus and python3-gi (Debian).
"""
import json
import os
import sys

import dbus
import dbus.bus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.login1"
PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"


def say(obj):
    print(json.dumps(obj), flush=True)


class Manager(dbus.service.Object):
    def __init__(self, bus, refuse):
        self.refuse = refuse
        self.held = 0
        dbus.service.Object.__init__(self, bus, PATH)

    @dbus.service.method(MANAGER, in_signature="ssss", out_signature="h")
    def Inhibit(self, what, who, why, mode):
        if self.refuse:
            say({"refused": str(why)})
            raise dbus.exceptions.DBusException(
                "Access denied", name="org.freedesktop.DBus.Error.AccessDenied")
        say({"inhibit": [str(what), str(who), str(why), str(mode)]})
        read, write = os.pipe()
        self.held += 1

        def closed(fd, _condition):
            os.close(fd)
            self.held -= 1
            say({"released": str(why)})
            return False

        GLib.io_add_watch(read, GLib.IO_HUP | GLib.IO_ERR, closed)
        # dbus-python sends a duplicate: ours goes now, the reply's with the reply.
        answer = dbus.types.UnixFd(write)
        os.close(write)
        return answer


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(sys.argv[1])
    manager = Manager(bus, len(sys.argv) > 2 and sys.argv[2] == "refuse")
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    loop = GLib.MainLoop()

    def command(source, _condition):
        line = source.readline()
        if not line:
            loop.quit()  # the test is gone
            return False
        say({"pong": manager.held})
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, command)
    say({"ready": True})
    loop.run()
    del name


if __name__ == "__main__":
    main()
