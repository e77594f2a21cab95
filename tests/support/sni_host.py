#!/usr/bin/python3
"""A StatusNotifierItem host, as KDE Plasma and GNOME's AppIndicator extension are one.

Owns org.kde.StatusNotifierWatcher on the session bus, takes the registration of a tray
item, and answers commands from the test, one JSON object a line on stdin:
  {"cmd": "item"}             the item's properties (Id, Status, IconName, Menu, ...; each
                              pixmap's pixels as their length), and IconDigest, a digest
                              of IconPixmap's pixels
  {"cmd": "layout"}           the menu from com.canonical.dbusmenu GetLayout: a tree of
                              {"id", "label", "enabled", "visible", "type", "toggle-type",
                               "toggle-state", "children-display", "children"}
  {"cmd": "click", "id": N}   Event(N, "clicked", 0, 0): what a host does on a click
  {"cmd": "about_to_show", "id": N}
                              AboutToShow(N), what a host asks before it opens a menu:
                              whether it must read the menu again
  {"cmd": "signals"}          the item's and its menu's signals since the last time, each
                              as its member name (NewToolTip, LayoutUpdated, ...)
Every line it prints is a JSON object: {"ready": true} once it owns the name,
{"registered": {"bus": ..., "path": ...}} when an item registers, {"reply": ...} or
{"error": "..."} for each command, in order.
Needs python3-dbus and python3-gi (Debian).
"""
import hashlib
import json
import os
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def plain(value):
    """dbus-python values as JSON values."""
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16, dbus.UInt32,
                          dbus.UInt64, dbus.Byte)):
        return int(value)
    if isinstance(value, dbus.Double):
        return float(value)
    if isinstance(value, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(value)
    if isinstance(value, dbus.Dictionary):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (dbus.Array, dbus.Struct, list, tuple)):
        if isinstance(value, dbus.Array) and value.signature == "y":
            return len(value)  # icon pixels: only their size matters here
        return [plain(v) for v in value]
    return value


def node(layout):
    ident, props, children = layout
    props = plain(props)
    return {
        "id": int(ident),
        "label": props.get("label", ""),
        "enabled": props.get("enabled", True),
        "visible": props.get("visible", True),
        "type": props.get("type", "standard"),
        "toggle-type": props.get("toggle-type", ""),
        "toggle-state": props.get("toggle-state", -1),
        "children-display": props.get("children-display", ""),
        "children": [node(child) for child in children],
    }


class Watcher(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, "/StatusNotifierWatcher")
        self.bus = bus
        self.items = []
        self.item = None  # (bus name, object path) of the registered item
        self.signals = []  # the member names of the signals items and menus sent
        for interface in (ITEM, MENU):
            bus.add_signal_receiver(self.on_signal, dbus_interface=interface,
                                    member_keyword="member")

    def on_signal(self, *_args, member=None):
        self.signals.append(member)

    @dbus.service.method(WATCHER, in_signature="s", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        # An item gives its object path (libayatana-appindicator) or its bus name.
        if service.startswith("/"):
            bus_name, path = sender, service
        else:
            bus_name, path = service, "/StatusNotifierItem"
        self.item = (bus_name, path)
        self.items.append(bus_name + path)
        self.StatusNotifierItemRegistered(bus_name + path)
        say({"registered": {"bus": bus_name, "path": path}})

    @dbus.service.method(WATCHER, in_signature="s")
    def RegisterStatusNotifierHost(self, service):
        pass

    @dbus.service.signal(WATCHER, signature="s")
    def StatusNotifierItemRegistered(self, service):
        pass

    @dbus.service.signal(WATCHER, signature="")
    def StatusNotifierHostRegistered(self):
        pass

    def props(self):
        return {
            "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
            "IsStatusNotifierHostRegistered": dbus.Boolean(True),
            "ProtocolVersion": dbus.Int32(0),
        }

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        return self.props()[name]

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.props()

    # --- the test's commands -------------------------------------------------------
    def command(self, request):
        if request["cmd"] == "signals":
            said, self.signals = self.signals, []
            return said
        if self.item is None:
            raise RuntimeError("no item has registered")
        bus_name, path = self.item
        item = self.bus.get_object(bus_name, path)
        if request["cmd"] == "item":
            props = item.GetAll(ITEM, dbus_interface=dbus.PROPERTIES_IFACE)
            # The pixels are shown by their sizes; which icon it is, by a digest of them.
            digest = hashlib.sha1()
            for _w, _h, pixels in props.get("IconPixmap", []):
                digest.update(bytes(pixels))
            props = plain(props)
            props["IconDigest"] = digest.hexdigest()[:12]
            return props
        menu_path = item.Get(ITEM, "Menu", dbus_interface=dbus.PROPERTIES_IFACE)
        menu = self.bus.get_object(bus_name, menu_path)
        if request["cmd"] == "layout":
            _revision, layout = menu.GetLayout(0, -1, dbus.Array([], signature="s"),
                                               dbus_interface=MENU)
            return node(layout)
        if request["cmd"] == "about_to_show":
            return bool(menu.AboutToShow(dbus.Int32(request["id"]), dbus_interface=MENU))
        if request["cmd"] == "click":
            menu.Event(dbus.Int32(request["id"]), "clicked", dbus.Int32(0, variant_level=1),
                       dbus.UInt32(0), dbus_interface=MENU)
            return True
        raise RuntimeError("unknown command: %r" % request)


def main():
    if sys.argv[1:] == ["--check"]:
        return  # the imports above worked: python3-dbus and python3-gi are there
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    watcher = Watcher(bus)
    # Hold the names the way a desktop's tray host does.
    names = [dbus.service.BusName(WATCHER, bus, do_not_queue=True),
             dbus.service.BusName("org.kde.StatusNotifierHost-%d" % os.getpid(), bus)]
    loop = GLib.MainLoop()

    def on_stdin(channel, condition):
        line = sys.stdin.readline()
        if not line:
            loop.quit()
            return False
        try:
            say({"reply": watcher.command(json.loads(line))})
        except Exception as e:  # the test reads the error and fails with it
            say({"error": "%s: %s" % (type(e).__name__, e)})
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    say({"ready": True})
    loop.run()
    del names


if __name__ == "__main__":
    main()
