//! The floor for the tray figures: a bare tray-icon + tao event loop with synctray's menu
//! and nothing else (no scheduler, no file watching, no notifications).
//!
//! Whatever synctray's tray costs above this loop is synctray's own; the GTK, X and
//! AppIndicator costs below it are the price of having a tray icon at all.

use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoopBuilder};
use tray_icon::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

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

/// Runs the loop until the process is killed. Started the way `synctray-tray` starts:
/// GTK without OpenGL (`GDK_GL=disable`) unless `GDK_GL` is set, so that the two are
/// alike.
pub fn run() -> ! {
    if std::env::var_os("GDK_GL").is_none() {
        // SAFETY: called first thing in main, before any other thread exists.
        unsafe { std::env::set_var("GDK_GL", "disable") };
    }
    let event_loop = EventLoopBuilder::new().build();
    // The tray icon must outlive the closure's calls, and on Linux can only be made once
    // GTK is initialized by the event loop, hence at StartCause::Init.
    let mut tray: Option<TrayIcon> = None;
    event_loop.run(move |event, _, control_flow| {
        *control_flow = ControlFlow::Wait;
        if let Event::NewEvents(StartCause::Init) = event {
            tray.get_or_insert_with(build_tray);
        }
    })
}

fn build_tray() -> TrayIcon {
    TrayIconBuilder::new()
        .with_menu(Box::new(build_menu()))
        .with_tooltip("synctray")
        .with_icon(solid_icon())
        .build()
        .expect("create the tray icon")
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

/// A 32x32 green disc on a transparent background.
fn solid_icon() -> Icon {
    const SIZE: u32 = 32;
    let mut rgba = Vec::with_capacity((SIZE * SIZE * 4) as usize);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let (dx, dy) = (x as i32 - 16, y as i32 - 16);
            let inside = dx * dx + dy * dy <= 14 * 14;
            rgba.extend_from_slice(if inside {
                &[0x2e, 0xa0, 0x43, 0xff]
            } else {
                &[0, 0, 0, 0]
            });
        }
    }
    Icon::from_rgba(rgba, SIZE, SIZE).expect("a valid 32x32 RGBA icon")
}
