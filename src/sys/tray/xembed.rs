//! Linux: the tray item in an XEmbed tray (trayer, i3bar, tint2, LXDE), for sessions with
//! no StatusNotifierWatcher: GTK 3's `GtkStatusIcon`. gtk-rs has no binding for it (it is
//! deprecated, and still the one XEmbed tray icon GTK 3 has), so it is made from its GType
//! and driven through its properties and signals. A click (either button) pops up the
//! menu's GTK widgets (muda's), as the item's menu does on a StatusNotifierItem host.
//!
//! Made only while no watcher is there (`Item::panel_news`): a hidden
//! one costs about 3 MiB.

use std::cell::RefCell;
use std::rc::Rc;

use gtk::gdk_pixbuf::{Colorspace, Pixbuf};
use gtk::glib::{self, prelude::*};
use gtk::prelude::*;
use tray_icon::menu::{ContextMenu, Menu};

use super::Face;

/// Whether an XEmbed tray can be there at all: GTK runs on an X11 display (on Wayland,
/// XWayland's trays included, GTK's status icon has no window to embed).
pub fn possible() -> bool {
    gtk::gdk::Display::default().is_some_and(|d| d.type_().name() == "GdkX11Display")
}

/// Whether the icon theme in use has an icon named `name` (synctray's state icons are in
/// hicolor when the package is installed).
pub fn theme_has(name: &str) -> bool {
    gtk::IconTheme::default().is_some_and(|theme| theme.has_icon(name))
}

/// A GTK status icon showing a [`Face`] and opening a menu. Gone from the tray when dropped.
pub struct StatusIcon {
    icon: glib::Object,
    menu: Rc<RefCell<Option<gtk::Menu>>>,
    face: Rc<RefCell<Option<Face>>>,
}

impl StatusIcon {
    /// A status icon in the XEmbed tray (once one takes it); `on_embedded` is called when a
    /// tray takes it (`true`) or lets it go.
    pub fn new(on_embedded: impl Fn(bool) + 'static) -> StatusIcon {
        quiet_embedding_critical();
        // SAFETY: GTK is initialised (the event loop runs on this thread); the function
        // only returns the class's GType, registering it on first use.
        let kind: glib::Type =
            unsafe { glib::translate::from_glib(gtk::ffi::gtk_status_icon_get_type()) };
        let icon = glib::Object::builder_with_type(kind)
            .property("title", "synctray")
            .property("visible", false)
            .build();
        // The name is the tray window's class (XEmbed trays and `xdotool search --class`
        // see it); it has no property.
        // SAFETY: `icon` is a GtkStatusIcon (made from its type just above); the name is a
        // NUL-terminated string GTK copies.
        unsafe {
            gtk::ffi::gtk_status_icon_set_name(
                icon.as_ptr() as *mut gtk::ffi::GtkStatusIcon,
                c"synctray".as_ptr(),
            )
        };
        let menu: Rc<RefCell<Option<gtk::Menu>>> = Rc::default();
        let face: Rc<RefCell<Option<Face>>> = Rc::default();
        let popup = {
            let menu = Rc::clone(&menu);
            move |button: u32, time: u32| {
                if let Some(menu) = &*menu.borrow() {
                    // Its width follows its longest line each time it opens.
                    menu.queue_resize();
                    menu.popup_easy(button, time);
                }
            }
        };
        let left = popup.clone();
        icon.connect_local("activate", false, move |_| {
            left(1, gtk::current_event_time());
            None
        });
        icon.connect_local("popup-menu", false, move |args| {
            let button = args.get(1).and_then(|v| v.get::<u32>().ok()).unwrap_or(3);
            let time = args.get(2).and_then(|v| v.get::<u32>().ok()).unwrap_or(0);
            popup(button, time);
            None
        });
        // The panel's size: the picture drawn for it, not scaled from another.
        {
            let face = Rc::clone(&face);
            icon.connect_local("size-changed", false, move |args| {
                let icon = args[0].get::<glib::Object>().ok()?;
                let size = args.get(1).and_then(|v| v.get::<i32>().ok()).unwrap_or(0);
                if let Some(face) = &*face.borrow() {
                    set_pixbuf(&icon, face, size);
                }
                Some(false.to_value())
            });
        }
        // The tooltip is made when it is shown, from the face then: set on each change, it
        // would cost the tray a dozen round trips to the X server a minute ("in 12 min").
        icon.set_property("has-tooltip", true);
        {
            let face = Rc::clone(&face);
            icon.connect_local("query-tooltip", false, move |args| {
                let tooltip = args.get(4)?.get::<gtk::Tooltip>().ok()?;
                let shown = face.borrow().as_ref().map(|face| {
                    let text = format!("{}\n{}", face.title, face.text);
                    tooltip.set_text(Some(text.trim_end()));
                });
                Some(shown.is_some().to_value())
            });
        }
        icon.connect_notify_local(Some("embedded"), move |icon, _| {
            on_embedded(icon.property::<bool>("embedded"));
        });
        icon.set_property("visible", true);
        StatusIcon { icon, menu, face }
    }

    pub fn set_menu(&mut self, menu: &Menu) {
        let widget = menu.gtk_context_menu();
        *self.menu.borrow_mut() = Some(widget);
    }

    /// Shows `face`: the picture only when it changed (each change is a redraw in the
    /// tray); the tooltip is read from it when shown.
    pub fn show(&mut self, face: &Face) {
        let old = self.face.borrow_mut().replace(face.clone());
        if old
            .as_ref()
            .is_none_or(|old| old.icon.name != face.icon.name)
        {
            let size = self.icon.property::<i32>("size");
            set_pixbuf(&self.icon, face, size);
        }
    }

    /// Whether an XEmbed tray holds it.
    pub fn embedded(&self) -> bool {
        self.icon.property::<bool>("embedded")
    }
}

impl Drop for StatusIcon {
    fn drop(&mut self) {
        self.icon.set_property("visible", false);
        if let Some(menu) = self.menu.borrow_mut().take() {
            // SAFETY: the menu is this icon's alone (muda made it for it).
            unsafe { menu.destroy() };
        }
    }
}

/// Keeps one known, harmless GDK critical off stderr: GDK's X11 backend thaws a toplevel's
/// updates on each MapNotify it sees, and freezes them on each UnmapNotify; the status
/// icon's window is mapped by the tray that embeds it, never unmapped first, so the first
/// thaw finds nothing frozen and GDK prints `Gdk-CRITICAL … gdk_window_thaw_toplevel_updates:
/// assertion 'window->update_and_descendants_freeze_count > 0' failed` at every start.
/// Every other GDK message goes to GLib's default handler, as before.
fn quiet_embedding_critical() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        glib::log_set_handler(
            Some("Gdk"),
            glib::LogLevels::LEVEL_CRITICAL,
            false,
            false,
            |domain, level, message| {
                if !message.contains("gdk_window_thaw_toplevel_updates") {
                    glib::log_default_handler(domain, level, Some(message));
                }
            },
        );
    });
}

/// The face's picture at the icon's size (32 px before the tray says).
fn set_pixbuf(icon: &glib::Object, face: &Face, size: i32) {
    let size = if size > 0 { size as u32 } else { 32 };
    let pixels = face.icon.at_least(size);
    let side = pixels.size as i32;
    let pixbuf = Pixbuf::from_bytes(
        &glib::Bytes::from(&pixels.rgba[..]),
        Colorspace::Rgb,
        true,
        8,
        side,
        side,
        side * 4,
    );
    icon.set_property("pixbuf", &pixbuf);
}
