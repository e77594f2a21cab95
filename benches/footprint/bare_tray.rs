//! The floor for the tray figures: a bare tao event loop with synctray's menu and a tray
//! icon shown the way synctray shows it, and nothing else (no scheduler, no file watching,
//! no notifications, no D-Bus item).
//!
//! On Linux the bench's desktop is an XEmbed tray (Xvfb + trayer), where synctray's icon is
//! a GTK status icon (`sys::tray::xembed`): the bare loop shows that same status icon with
//! muda's GTK menu, so that the difference is synctray's own. (It used to be tray-icon's
//! icon, whose Linux backend is libayatana-appindicator: a library the tray no longer
//! loads, with its own cost, and which a machine may not have.) Elsewhere it is
//! tray-icon's icon, which synctray uses there. Whatever synctray's tray costs above this
//! loop is synctray's own; the GTK and X costs below it are the price of having a tray
//! icon at all.

use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoopBuilder};
use tray_icon::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};

/// The intervals of the Change interval submenu, as synctray shows them.
const INTERVALS: [&str; 9] = [
    "Every 5 min",
    "10 min",
    "15 min",
    "30 min",
    "1 h",
    "2 h",
    "6 h",
    "12 h",
    "24 h",
];

/// The icon's side, in pixels.
const SIZE: u32 = 32;

/// Runs the loop until the process is killed. Started the way `synctray-tray` starts:
/// GTK without OpenGL (`GDK_GL=disable`) unless `GDK_GL` is set, so that the two are
/// alike.
pub fn run() -> ! {
    if std::env::var_os("GDK_GL").is_none() {
        // SAFETY: called first thing in main, before any other thread exists.
        unsafe { std::env::set_var("GDK_GL", "disable") };
    }
    let event_loop = EventLoopBuilder::new().build();
    // The tray icon must outlive the closure's calls, and can only be made once the
    // toolkit is initialized by the event loop, hence at StartCause::Init.
    let mut tray: Option<Box<dyn std::any::Any>> = None;
    event_loop.run(move |event, _, control_flow| {
        *control_flow = ControlFlow::Wait;
        if let Event::NewEvents(StartCause::Init) = event {
            tray.get_or_insert_with(|| build_tray(build_menu()));
        }
    })
}

/// The GTK status icon synctray shows in an XEmbed tray, with the menu.
#[cfg(target_os = "linux")]
fn build_tray(menu: Menu) -> Box<dyn std::any::Any> {
    use std::sync::Arc;
    use synctray::sys::tray::xembed::StatusIcon;
    use synctray::sys::tray::{Face, Picture, Pixels};

    let mut icon = StatusIcon::new(|_| {});
    icon.set_menu(&menu);
    icon.show(&Face {
        icon: Arc::new(Picture {
            name: "bare",
            sizes: vec![Pixels {
                size: SIZE,
                rgba: solid_disc(),
            }],
        }),
        title: "synctray".into(),
        text: String::new(),
        attention: false,
    });
    Box::new((icon, menu))
}

/// tray-icon's icon, as synctray shows it on this platform, with the menu.
#[cfg(not(target_os = "linux"))]
fn build_tray(menu: Menu) -> Box<dyn std::any::Any> {
    let icon = tray_icon::Icon::from_rgba(solid_disc(), SIZE, SIZE).expect("a valid RGBA icon");
    let tray = tray_icon::TrayIconBuilder::new()
        .with_menu(Box::new(menu))
        .with_tooltip("synctray")
        .with_icon(icon)
        .build()
        .expect("create the tray icon");
    Box::new(tray)
}

fn build_menu() -> Menu {
    let interval_items: Vec<CheckMenuItem> = INTERVALS
        .iter()
        .map(|label| CheckMenuItem::new(*label, true, *label == "15 min", None))
        .collect();
    let interval_refs: Vec<&dyn tray_icon::menu::IsMenuItem> = interval_items
        .iter()
        .map(|item| item as &dyn tray_icon::menu::IsMenuItem)
        .collect();
    let change_interval =
        Submenu::with_items("Change interval", true, &interval_refs).expect("submenu");

    let menu = Menu::new();
    menu.append_items(&[
        &MenuItem::new("✓ Last sync 14:30 · 3.1 s", false, None),
        &MenuItem::new("Next run 14:45 (in 12 min)", false, None),
        &PredefinedMenuItem::separator(),
        &MenuItem::new("Sync now", true, None),
        &change_interval,
        &CheckMenuItem::new("Pause scheduled syncs", true, false, None),
        &MenuItem::new("Open logs", true, None),
        &CheckMenuItem::new("Start at login", true, false, None),
        &PredefinedMenuItem::separator(),
        &MenuItem::new("Quit", true, None),
    ])
    .expect("fill the menu");
    menu
}

/// A green disc on a transparent background, `SIZE` px square, as RGBA.
fn solid_disc() -> Vec<u8> {
    let mut rgba = Vec::with_capacity((SIZE * SIZE * 4) as usize);
    let (half, radius) = (SIZE as i32 / 2, SIZE as i32 / 2 - 2);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let (dx, dy) = (x as i32 - half, y as i32 - half);
            let inside = dx * dx + dy * dy <= radius * radius;
            rgba.extend_from_slice(if inside {
                &[0x2e, 0xa0, 0x43, 0xff]
            } else {
                &[0, 0, 0, 0]
            });
        }
    }
    rgba
}
