#!/usr/bin/python3
"""A freedesktop notification server that records what it is asked, ids included.

Owns org.freedesktop.Notifications on the session bus, as dunst or a desktop's server
does, and writes one JSON object a line to the log file given as its argument:
  {"call": "Notify", "id": N, "replaces": R, "summary": ..., "body": ..., "actions": [...],
   "urgency": U, "icon": ...}
  {"call": "CloseNotification", "id": N}
Notify keeps the id it is asked to replace (the spec's replaces_id), else hands out the
next one. It advertises the capabilities in $NOTIFY_CAPS (comma-separated; default
"body,actions"). On stdin it takes commands, one JSON object a line:
  {"cmd": "invoke", "id": N, "action": "key"}   emits ActionInvoked(N, key), as a click on
                                                the notification's button does
Prints {"ready": true} once it owns the name.
Needs python3-dbus and python3-gi (Debian).
"""
import json
import os
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Server(dbus.service.Object):
    def __init__(self, bus, log):
        self.log = log
        self.next_id = 1
        dbus.service.Object.__init__(self, bus, PATH)

    def record(self, obj):
        self.log.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.log.flush()

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        if replaces:
            ident = int(replaces)
        else:
            ident = self.next_id
            self.next_id += 1
        urgency = hints.get("urgency")
        self.record({
            "call": "Notify",
            "id": ident,
            "replaces": int(replaces),
            "app": str(app),
            "summary": str(summary),
            "body": str(body),
            "actions": [str(a) for a in actions],
            "urgency": None if urgency is None else int(urgency),
            "icon": str(icon),
        })
        return dbus.UInt32(ident)

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, ident):
        self.record({"call": "CloseNotification", "id": int(ident)})
        self.NotificationClosed(ident, dbus.UInt32(3))

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        caps = os.environ.get("NOTIFY_CAPS", "body,actions")
        return [c for c in caps.split(",") if c]

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("synctray-test", "synctray", "1", "1.2")

    @dbus.service.signal(NAME, signature="uu")
    def NotificationClosed(self, ident, reason):
        pass

    @dbus.service.signal(NAME, signature="us")
    def ActionInvoked(self, ident, action):
        pass


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    log = open(sys.argv[1], "a", encoding="utf-8")
    server = Server(bus, log)
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    loop = GLib.MainLoop()

    def command(source, _condition):
        line = source.readline()
        if not line:
            return False  # no test at the other end: serve on
        cmd = json.loads(line)
        if cmd.get("cmd") == "invoke":
            server.ActionInvoked(dbus.UInt32(cmd["id"]), cmd["action"])
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, command)
    print(json.dumps({"ready": True}), flush=True)
    loop.run()
    del name


if __name__ == "__main__":
    main()
