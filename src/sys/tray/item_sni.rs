//! Linux: the tray item is a StatusNotifierItem of synctray's own making (KDE, GNOME with the
//! AppIndicator extension, xfce4-panel, waybar), with its menu exported as
//! `com.canonical.dbusmenu`, on a session-bus connection of its own served by a thread of
//! its own ("tray-item"). While no `org.kde.StatusNotifierWatcher` owns its name the item
//! is also a GTK status icon in the XEmbed tray (trayer, i3bar, tint2: [`super::xembed`]),
//! made when the watcher goes and dropped when one comes.
//!
//! The GUI thread owns the menu widgets (muda's); it hands this item the menu as a tree of
//! plain nodes (labels, enabled and check states, each click's action) after every change,
//! and the D-Bus side answers `GetLayout` and `Event` from that tree alone. A click runs
//! muda's own activation, which sends its `MenuEvent` as a click in a GTK menu does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::mpsc;
use tray_icon::menu::{ContextMenu, Menu, MenuItemKindSnapshot};
use zbus::export::futures_core::Stream;
use zbus::object_server::SignalEmitter;
use zbus::{ObjectPath, OwnedVariant, Structure, Variant};

use super::xembed::StatusIcon;
use super::{Face, NoItem, OnPanelNews, PanelNews};

/// The item's id for desktops: stable, so that they remember its place and settings.
const ID: &str = "synctray";
const WATCHER: &str = "org.kde.StatusNotifierWatcher";
const WATCHER_PATH: &str = "/StatusNotifierWatcher";
const ITEM_PATH: &str = "/StatusNotifierItem";
const MENU_PATH: &str = "/MenuBar";
/// How long the session bus may take to answer at start.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

type Activate = Arc<dyn Fn() + Send + Sync>;

/// One menu entry as dbusmenu shows it; ids count from 1 in the menu's order (0 is the root).
#[derive(Clone, Default, PartialEq)]
struct Node {
    id: i32,
    label: String,
    enabled: bool,
    separator: bool,
    /// `Some(checked)` for a check item.
    check: Option<bool>,
    children: Vec<Node>,
}

/// What the D-Bus side serves, written by the GUI thread.
struct Shared {
    face: Option<Face>,
    /// Whether the installed icon theme has synctray's state icons (`IconName` is then set).
    themed: bool,
    root: Node,
    /// Each entry's click, by id.
    actions: HashMap<i32, Activate>,
    revision: u32,
}

/// What the panel is told changed, by a signal.
enum Change {
    Icon,
    ToolTip,
    Status,
    /// Entries came, went or moved: the menu's new revision.
    Layout(u32),
    /// Only these entries' properties changed (all of each one's, by id).
    Entries(Vec<(i32, HashMap<String, OwnedVariant>)>),
}

/// The tray's item on the panel.
pub struct Item {
    shared: Arc<Mutex<Shared>>,
    /// Tells the D-Bus thread that the menu and the face are set: time to register.
    start: mpsc::UnboundedSender<()>,
    /// The item's connection, on which the GUI thread says what changed itself (a signal
    /// is one write on the socket): the D-Bus thread sleeps through the minute's redraw.
    connection: zbus::Connection,
    /// What changed since the panel was last told.
    pending: Vec<Change>,
    /// The menu entries' ids.
    ids: Ids,
    /// The menu shown, for the XEmbed icon's GTK menu.
    menu: Option<Menu>,
    /// The XEmbed icon, while no watcher is on the bus.
    fallback: Option<StatusIcon>,
    /// Whether a StatusNotifierWatcher is on the bus (`None`: not known yet).
    watched: Option<bool>,
    /// Tells the event loop what the panels did.
    on_news: OnPanelNews,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

impl Item {
    /// Connects to the session bus and exports the item, which registers with the watcher
    /// whenever one is there. `on_news` is called (on another thread) with whether a
    /// watcher is there: at once, then at each change; the GUI thread answers with
    /// [`Item::panel_news`]; and (on the GUI thread) when the XEmbed icon is embedded or
    /// let go. An error when there is no session bus.
    pub fn new(on_news: OnPanelNews) -> Result<Item, NoItem> {
        let shared = Arc::new(Mutex::new(Shared {
            face: None,
            themed: super::xembed::theme_has("synctray-ok"),
            root: Node::default(),
            actions: HashMap::new(),
            revision: 1,
        }));
        let (start, start_rx) = mpsc::unbounded_channel();
        let (ready, connected) = std::sync::mpsc::channel();
        let serving = Arc::clone(&shared);
        let on_watcher = Arc::clone(&on_news);
        std::thread::Builder::new()
            .name("tray-item".into())
            .spawn(move || {
                // One thread, as the engine's: the item waits on its D-Bus socket alone.
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(serve(serving, start_rx, on_watcher, ready)),
                    Err(e) => {
                        let _ = ready.send(Err(format!("cannot start its runtime: {e}")));
                    }
                }
            })
            .map_err(|e| NoItem(format!("cannot start the tray item's thread: {e}")))?;
        let connection = match connected.recv_timeout(CONNECT_TIMEOUT) {
            Ok(Ok(connection)) => connection,
            Ok(Err(e)) => return Err(NoItem(format!("no session bus to show the tray on ({e})"))),
            Err(_) => {
                return Err(NoItem(format!(
                    "the session bus did not answer within {} s",
                    CONNECT_TIMEOUT.as_secs()
                )));
            }
        };
        Ok(Item {
            shared,
            start,
            connection,
            pending: Vec::new(),
            ids: Ids::default(),
            menu: None,
            fallback: None,
            watched: None,
            on_news,
        })
    }

    /// Shows the item (at the event loop's start, its menu and face set): it registers with
    /// the watcher, or shows the XEmbed icon when there is none. On the bus since
    /// [`Item::new`], it was not on any panel yet, so that none reads an empty menu.
    pub fn start(&mut self) -> Result<(), NoItem> {
        self.start
            .send(())
            .map_err(|_| NoItem("the tray item's D-Bus connection has ended".into()))
    }

    /// The menu the item opens.
    pub fn set_menu(&mut self, menu: &Menu) {
        self.menu = Some(menu.clone());
        if let Some(icon) = &mut self.fallback {
            icon.set_menu(menu);
        }
        self.publish();
    }

    /// Reads the menu again, and tells the panel what changed since the last time: the
    /// icon, the tooltip, the status, and the menu when it reads differently. Call once
    /// the events at hand are handled. Nothing is sent while no watcher is on the bus: no
    /// panel has the item, and one that comes reads it whole.
    pub fn publish(&mut self) {
        self.read_menu();
        let pending = std::mem::take(&mut self.pending);
        if self.watched == Some(false) {
            return;
        }
        for change in pending {
            let said = block_on(async {
                let item = SignalEmitter::new(&self.connection, ITEM_PATH)?;
                match change {
                    Change::Icon => SniItem::new_icon(&item).await,
                    Change::ToolTip => SniItem::new_tool_tip(&item).await,
                    Change::Status => {
                        let status = status(&lock(&self.shared));
                        SniItem::new_status(&item, status).await
                    }
                    Change::Layout(revision) => {
                        let menu = SignalEmitter::new(&self.connection, MENU_PATH)?;
                        DbusMenu::layout_updated(&menu, revision, 0).await
                    }
                    Change::Entries(updated) => {
                        let menu = SignalEmitter::new(&self.connection, MENU_PATH)?;
                        DbusMenu::items_properties_updated(&menu, updated, Vec::new()).await
                    }
                }
            });
            if let Err(e) = said {
                tracing::debug!("tray item: {e}");
            }
        }
    }

    /// The menu as it is now; a change is told as the new properties of the entries that
    /// changed when only their texts, enabled and check states did (what the minute's
    /// redraw changes: "in 12 min"), which the panel applies without calling back, and as
    /// `LayoutUpdated` (the panel reads the menu again) when entries came, went or moved.
    fn read_menu(&mut self) {
        let Some(menu) = &self.menu else {
            return;
        };
        let mut actions = HashMap::new();
        let mut seen = HashMap::new();
        let root = Node {
            id: 0,
            enabled: true,
            children: self
                .ids
                .nodes(0, &menu.snapshot_handle().items(), &mut actions, &mut seen),
            ..Node::default()
        };
        // Entries gone from the menu free their keys (their ids are not used again).
        self.ids.keys = seen;
        let mut shared = lock(&self.shared);
        if shared.root == root {
            return;
        }
        let change = match shared.root.updated_entries(&root) {
            Some(updated) => Change::Entries(updated),
            None => Change::Layout(shared.revision + 1),
        };
        shared.root = root;
        shared.actions = actions;
        shared.revision += 1;
        self.pending.push(change);
    }

    /// Shows `face`: its icon, its tooltip, whether it asks for attention.
    pub fn show(&mut self, face: &Face) {
        if let Some(icon) = &mut self.fallback {
            icon.show(face);
        }
        let mut shared = lock(&self.shared);
        let old = shared.face.replace(face.clone());
        let changed = |f: fn(&Face, &Face) -> bool| old.as_ref().is_none_or(|old| f(old, face));
        if changed(|a, b| a.icon.name != b.icon.name) {
            self.pending.push(Change::Icon);
        }
        if changed(|a, b| (&a.title, &a.text) != (&b.title, &b.text)) {
            self.pending.push(Change::ToolTip);
        }
        if changed(|a, b| a.attention != b.attention) {
            self.pending.push(Change::Status);
        }
    }

    /// What the panels did ([`Item::new`]'s `on_news`), on the GUI thread.
    pub fn panel_news(&mut self, news: PanelNews) {
        match news {
            PanelNews::Watcher(watched) => self.watcher_changed(watched),
            // Read by `shown` when the event loop looks.
            PanelNews::Embedded(embedded) => tracing::debug!("XEmbed icon embedded: {embedded}"),
        }
    }

    /// A StatusNotifierWatcher came (`true`) or went: without one, the item is an XEmbed
    /// icon too, made only then (it costs memory and a tray window).
    fn watcher_changed(&mut self, watched: bool) {
        self.watched = Some(watched);
        if watched {
            if self.fallback.take().is_some() {
                tracing::info!("a StatusNotifierWatcher is on the bus: the XEmbed icon goes");
            }
        } else if !super::xembed::possible() {
            tracing::warn!(
                "no StatusNotifierWatcher on the bus, and no XEmbed tray on a Wayland display: \
                 the item is on no panel until a StatusNotifierItem host comes"
            );
        } else if self.fallback.is_none() {
            tracing::info!("no StatusNotifierWatcher on the bus: showing an XEmbed icon");
            let face = lock(&self.shared).face.clone();
            let on_news = Arc::clone(&self.on_news);
            let mut icon = StatusIcon::new(move |embedded| on_news(PanelNews::Embedded(embedded)));
            if let Some(face) = &face {
                icon.show(face);
            }
            if let Some(menu) = &self.menu {
                icon.set_menu(menu);
            }
            self.fallback = Some(icon);
        }
    }

    /// Takes the item off the panel (the tray is ending): the XEmbed icon goes at once; the
    /// StatusNotifierItem goes with the process's bus connection.
    pub fn remove(&mut self) {
        self.fallback = None;
    }

    /// Whether the item is on a panel: registered with a watcher, or docked in an XEmbed
    /// tray.
    pub fn shown(&self) -> bool {
        self.watched == Some(true) || self.fallback.as_ref().is_some_and(StatusIcon::embedded)
    }

    /// What keeps the item off every panel, in words, after `waited` (see [`Item::shown`]).
    pub fn missing(&self, waited: Duration) -> String {
        let xembed = if super::xembed::possible() {
            "and no XEmbed system tray took its icon"
        } else {
            "and a Wayland display has no XEmbed system tray"
        };
        format!(
            "no panel shows it: no StatusNotifierItem host ({WATCHER} on the session bus) \
             came within {} s, {xembed}",
            waited.as_secs()
        )
    }
}

/// The ids of the menu's entries. An entry keeps its id while its parent, kind and label stay
/// the same, so that a click the panel sends for what it showed reaches that entry even if
/// the menu changed in between (a run added to Recent runs shifts the entries below it); an
/// id the menu no longer has is a click on nothing. A disabled entry, which no click
/// reaches, keeps its id while its parent, kind and place among the disabled entries stay
/// the same, whatever its text (the status lines' counts change every minute).
#[derive(Default)]
struct Ids {
    /// (parent id, kind and label, how many siblings before it have the same) → id.
    keys: HashMap<(i32, String, usize), i32>,
    last: i32,
}

impl Ids {
    /// The entries `items` under `parent` as nodes, with their clicks in `actions` and
    /// their keys in `seen`.
    fn nodes(
        &mut self,
        parent: i32,
        items: &[MenuItemKindSnapshot],
        actions: &mut HashMap<i32, Activate>,
        seen: &mut HashMap<(i32, String, usize), i32>,
    ) -> Vec<Node> {
        let mut out = Vec::with_capacity(items.len());
        let mut same: HashMap<String, usize> = HashMap::new();
        for item in items {
            let plain = |text: String, enabled: bool| Node {
                label: mnemonics(&text),
                enabled,
                ..Node::default()
            };
            let (node, activate, sub) = match item {
                MenuItemKindSnapshot::MenuItem(i) => (
                    plain(i.text(), i.is_enabled()),
                    Some(Arc::clone(&i.activate)),
                    None,
                ),
                MenuItemKindSnapshot::Check(i) => (
                    Node {
                        check: Some(i.is_checked()),
                        ..plain(i.text(), i.is_enabled())
                    },
                    Some(Arc::clone(&i.activate)),
                    None,
                ),
                MenuItemKindSnapshot::Icon(i) => (
                    plain(i.text(), i.is_enabled()),
                    Some(Arc::clone(&i.activate)),
                    None,
                ),
                MenuItemKindSnapshot::Submenu(i) => {
                    (plain(i.text(), i.is_enabled()), None, Some(i.items()))
                }
                MenuItemKindSnapshot::Predefined(i) => (
                    Node {
                        separator: i.is_separator(),
                        ..plain(i.text(), i.is_enabled())
                    },
                    None,
                    None,
                ),
            };
            let kind = match (&node.check, &sub, node.separator) {
                (_, _, true) => "-",
                (Some(_), _, _) => "c",
                (_, Some(_), _) => "s",
                _ => "i",
            };
            // A line that cannot be clicked (the status lines) is known by its place among
            // such lines instead of its text, so that "in 12 min" becoming "in 11 min" is a
            // new label for the same entry, not a new entry.
            let what = if node.enabled {
                format!("{kind}{}", node.label)
            } else {
                format!("{kind}\u{0}disabled")
            };
            let nth = same.entry(what.clone()).or_default();
            let key = (parent, what, *nth);
            *nth += 1;
            let id = match self.keys.get(&key) {
                Some(id) => *id,
                None => {
                    self.last += 1;
                    self.last
                }
            };
            seen.insert(key, id);
            if let Some(activate) = activate {
                actions.insert(id, activate);
            }
            let children = match sub {
                Some(items) => self.nodes(id, &items, actions, seen),
                None => Vec::new(),
            };
            out.push(Node {
                id,
                children,
                ..node
            });
        }
        out
    }
}

/// muda's access keys (`&x`, `&&` for a plain `&`) as dbusmenu's (`_x`, `__` for `_`).
fn mnemonics(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' if chars.peek() == Some(&'&') => {
                chars.next();
                out.push('&');
            }
            '&' => out.push('_'),
            '_' => out.push_str("__"),
            c => out.push(c),
        }
    }
    out
}

/// The D-Bus thread: connects, exports the item and its menu (whose methods it answers),
/// and registers with each watcher that comes, until the [`Item`] is dropped.
async fn serve(
    shared: Arc<Mutex<Shared>>,
    mut start: mpsc::UnboundedReceiver<()>,
    on_watcher: OnPanelNews,
    ready: std::sync::mpsc::Sender<Result<zbus::Connection, String>>,
) {
    let name = format!("org.kde.StatusNotifierItem-{}-1", std::process::id());
    let connect = async {
        let connection = zbus::connection::Builder::session()
            .name(name.as_str())
            .serve_at(
                ITEM_PATH,
                SniItem {
                    shared: Arc::clone(&shared),
                },
            )
            .serve_at(
                MENU_PATH,
                DbusMenu {
                    shared: Arc::clone(&shared),
                },
            )
            .build()
            .await?;
        let dbus = zbus::fdo::DBusProxy::new(&connection).await?;
        let owners = dbus
            .receive_name_owner_changed_with_args(&[(0, WATCHER)])
            .await?;
        Ok::<_, zbus::Error>((connection, dbus, owners))
    };
    let (connection, dbus, mut owners) = match connect.await {
        Ok(done) => {
            let _ = ready.send(Ok(done.0.clone()));
            done
        }
        Err(e) => {
            let _ = ready.send(Err(e.to_string()));
            return;
        }
    };
    let register = async |connection: &zbus::Connection| {
        let reply = connection
            .call_method(
                Some(WATCHER),
                WATCHER_PATH,
                Some(WATCHER),
                "RegisterStatusNotifierItem",
                &(name.as_str(),),
            )
            .await;
        match reply {
            Ok(_) => tracing::debug!("registered with the StatusNotifierWatcher as {name}"),
            Err(e) => tracing::warn!("the StatusNotifierWatcher refused the tray item: {e}"),
        }
    };
    let mut started = false;
    loop {
        tokio::select! {
            go = start.recv() => {
                if go.is_none() {
                    break;
                }
                started = true;
                let watched = dbus
                    .name_has_owner(WATCHER.try_into().expect("a bus name"))
                    .await
                    .unwrap_or(false);
                if watched {
                    register(&connection).await;
                }
                on_watcher(PanelNews::Watcher(watched));
            }
            owner = std::future::poll_fn(|cx| std::pin::Pin::new(&mut owners).poll_next(cx)) => {
                let Some(owner) = owner else { break };
                if !started {
                    continue;
                }
                let watched = owner.args().is_ok_and(|a| a.new_owner().is_some());
                if watched {
                    register(&connection).await;
                }
                on_watcher(PanelNews::Watcher(watched));
            }
        }
    }
}

/// Runs `future` to its end on this thread, parked while it waits. For a signal: one write
/// on the connection's socket, done at once unless the bus is far behind.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Arc::new(Unpark(std::thread::current())).into();
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

fn status(shared: &Shared) -> &'static str {
    if shared.face.as_ref().is_some_and(|f| f.attention) {
        "NeedsAttention"
    } else {
        "Active"
    }
}

/// One size of an icon: width, height, ARGB32 pixels.
type Pixmap = (i32, i32, Vec<u8>);

/// A picture's sizes as the `a(iiay)` of the spec: ARGB32 in network byte order.
fn pixmaps(face: Option<&Face>) -> Vec<Pixmap> {
    let Some(face) = face else {
        return Vec::new();
    };
    face.icon
        .sizes
        .iter()
        .map(|p| {
            let argb = p
                .rgba
                .chunks_exact(4)
                .flat_map(|px| [px[3], px[0], px[1], px[2]])
                .collect();
            (p.size as i32, p.size as i32, argb)
        })
        .collect()
}

/// Text for the tooltip's body, which hosts read as markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `org.kde.StatusNotifierItem`.
struct SniItem {
    shared: Arc<Mutex<Shared>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierItem", introspection_docs = false)]
impl SniItem {
    #[zbus(property)]
    fn category(&self) -> &str {
        "ApplicationStatus"
    }

    #[zbus(property)]
    fn id(&self) -> &str {
        ID
    }

    #[zbus(property)]
    fn title(&self) -> &str {
        ID
    }

    #[zbus(property)]
    fn status(&self) -> &str {
        status(&lock(&self.shared))
    }

    #[zbus(property)]
    fn window_id(&self) -> i32 {
        0
    }

    /// The icon's theme name, where the installed theme has synctray's icons.
    #[zbus(property)]
    fn icon_name(&self) -> String {
        let shared = lock(&self.shared);
        match &shared.face {
            Some(face) if shared.themed => face.icon.name.to_owned(),
            _ => String::new(),
        }
    }

    #[zbus(property)]
    fn icon_pixmap(&self) -> Vec<Pixmap> {
        pixmaps(lock(&self.shared).face.as_ref())
    }

    #[zbus(property)]
    fn icon_theme_path(&self) -> &str {
        ""
    }

    #[zbus(property)]
    fn overlay_icon_name(&self) -> &str {
        ""
    }

    #[zbus(property)]
    fn overlay_icon_pixmap(&self) -> Vec<Pixmap> {
        Vec::new()
    }

    #[zbus(property)]
    fn attention_icon_name(&self) -> &str {
        ""
    }

    #[zbus(property)]
    fn attention_icon_pixmap(&self) -> Vec<Pixmap> {
        Vec::new()
    }

    #[zbus(property)]
    fn attention_movie_name(&self) -> &str {
        ""
    }

    /// (icon name, icon pixmaps, title, text): the icon is the item's own.
    #[zbus(property)]
    fn tool_tip(&self) -> (String, Vec<Pixmap>, String, String) {
        let shared = lock(&self.shared);
        match &shared.face {
            Some(face) => (
                String::new(),
                Vec::new(),
                face.title.clone(),
                escape(&face.text),
            ),
            None => (String::new(), Vec::new(), ID.to_owned(), String::new()),
        }
    }

    /// What a screen reader says for the icon (an extension hosts read): the tooltip's
    /// title and first line, "synctray — dashboard: ✓ Last sync 14:30 · 3.1 s".
    #[zbus(property)]
    fn icon_accessible_desc(&self) -> String {
        let shared = lock(&self.shared);
        match &shared.face {
            Some(face) => match face.text.lines().next() {
                Some(first) => format!("{}: {first}", face.title),
                None => face.title.clone(),
            },
            None => ID.to_owned(),
        }
    }

    /// The menu is the whole interface: a click on the icon opens it.
    #[zbus(property)]
    fn item_is_menu(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn menu(&self) -> ObjectPath<'static> {
        ObjectPath::from_static_str_unchecked(MENU_PATH)
    }

    fn context_menu(&self, _x: i32, _y: i32) {}

    fn activate(&self, _x: i32, _y: i32) {}

    fn secondary_activate(&self, _x: i32, _y: i32) {}

    fn scroll(&self, _delta: i32, _orientation: &str) {}

    #[zbus(signal)]
    async fn new_title(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn new_icon(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn new_attention_icon(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn new_overlay_icon(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn new_tool_tip(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn new_status(emitter: &SignalEmitter<'_>, status: &str) -> zbus::Result<()>;
}

/// A dbusmenu entry's layout: `(ia{sv}av)`, its children each a variant of the same.
type Layout = (i32, HashMap<String, OwnedVariant>, Vec<OwnedVariant>);

fn owned<'a>(value: impl Into<Variant<'a>>) -> OwnedVariant {
    value
        .into()
        .try_into_owned()
        .expect("a plain value (no file descriptor)")
}

impl Node {
    /// Its dbusmenu properties, those named in `names` (all when empty).
    fn properties(&self, names: &[String]) -> HashMap<String, OwnedVariant> {
        let mut props = HashMap::new();
        let mut put = |name: &str, value: OwnedVariant| {
            if names.is_empty() || names.iter().any(|n| n == name) {
                props.insert(name.to_owned(), value);
            }
        };
        if self.separator {
            put("type", owned("separator"));
            return props;
        }
        if self.id == 0 {
            put("children-display", owned("submenu"));
            return props;
        }
        put("label", owned(self.label.as_str()));
        put("enabled", owned(self.enabled));
        if let Some(checked) = self.check {
            put("toggle-type", owned("checkmark"));
            put("toggle-state", owned(i32::from(checked)));
        }
        if !self.children.is_empty() {
            put("children-display", owned("submenu"));
        }
        props
    }

    fn layout(&self, depth: i32, names: &[String]) -> Layout {
        let children = if depth == 0 {
            Vec::new()
        } else {
            self.children
                .iter()
                .map(|c| {
                    let (id, props, children) = c.layout(depth - 1, names);
                    let value = Structure::builder()
                        .add_field(id)
                        .add_field(props)
                        .add_field(children)
                        .build()
                        .expect("a layout has fields");
                    owned(value)
                })
                .collect()
        };
        (self.id, self.properties(names), children)
    }

    /// When `new` has the same entries as this menu (the same ids, kinds and submenus, in
    /// the same places) and differs only in texts, enabled and check states: the entries
    /// that changed, each with all its properties. `None` when entries came, went or moved.
    fn updated_entries(&self, new: &Node) -> Option<Vec<(i32, HashMap<String, OwnedVariant>)>> {
        fn walk(
            old: &Node,
            new: &Node,
            out: &mut Vec<(i32, HashMap<String, OwnedVariant>)>,
        ) -> Option<()> {
            let same_place = old.id == new.id
                && old.separator == new.separator
                && old.check.is_some() == new.check.is_some()
                && old.children.len() == new.children.len()
                && old.children.is_empty() == new.children.is_empty();
            if !same_place {
                return None;
            }
            if (&old.label, old.enabled, old.check) != (&new.label, new.enabled, new.check) {
                out.push((new.id, new.properties(&[])));
            }
            for (old, new) in old.children.iter().zip(&new.children) {
                walk(old, new, out)?;
            }
            Some(())
        }
        let mut out = Vec::new();
        walk(self, new, &mut out)?;
        Some(out)
    }

    fn find(&self, id: i32) -> Option<&Node> {
        if self.id == id {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(id))
    }
}

/// `com.canonical.dbusmenu`: the menu, read by the panel and clicked through `Event`.
struct DbusMenu {
    shared: Arc<Mutex<Shared>>,
}

#[zbus::interface(name = "com.canonical.dbusmenu", introspection_docs = false)]
impl DbusMenu {
    fn get_layout(
        &self,
        parent_id: i32,
        recursion_depth: i32,
        property_names: Vec<String>,
    ) -> zbus::fdo::Result<(u32, Layout)> {
        let shared = lock(&self.shared);
        let node = shared
            .root
            .find(parent_id)
            .ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("no menu entry {parent_id}")))?;
        let depth = if recursion_depth < 0 {
            i32::MAX
        } else {
            recursion_depth
        };
        Ok((shared.revision, node.layout(depth, &property_names)))
    }

    fn get_group_properties(
        &self,
        ids: Vec<i32>,
        property_names: Vec<String>,
    ) -> Vec<(i32, HashMap<String, OwnedVariant>)> {
        let shared = lock(&self.shared);
        ids.into_iter()
            .filter_map(|id| shared.root.find(id))
            .map(|n| (n.id, n.properties(&property_names)))
            .collect()
    }

    fn get_property(&self, id: i32, name: String) -> zbus::fdo::Result<OwnedVariant> {
        let shared = lock(&self.shared);
        shared
            .root
            .find(id)
            .and_then(|n| n.properties(std::slice::from_ref(&name)).remove(&name))
            .ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("no {name} on entry {id}")))
    }

    fn event(&self, id: i32, event_id: &str, _data: OwnedVariant, _timestamp: u32) {
        if event_id != "clicked" {
            return;
        }
        let action = lock(&self.shared).actions.get(&id).cloned();
        if let Some(activate) = action {
            activate();
        }
    }

    fn event_group(&self, events: Vec<(i32, String, OwnedVariant, u32)>) -> Vec<i32> {
        for (id, event_id, data, timestamp) in events {
            self.event(id, &event_id, data, timestamp);
        }
        Vec::new()
    }

    /// Nothing to read again before the menu opens: every change was told when made
    /// (libdbusmenu's panels ignore the answer anyway).
    fn about_to_show(&self, _id: i32) -> bool {
        false
    }

    fn about_to_show_group(&self, _ids: Vec<i32>) -> (Vec<i32>, Vec<i32>) {
        (Vec::new(), Vec::new())
    }

    #[zbus(property)]
    fn version(&self) -> u32 {
        3
    }

    #[zbus(property)]
    fn text_direction(&self) -> &str {
        "ltr"
    }

    #[zbus(property)]
    fn status(&self) -> &str {
        "normal"
    }

    #[zbus(property)]
    fn icon_theme_path(&self) -> Vec<String> {
        Vec::new()
    }

    #[zbus(signal)]
    async fn layout_updated(
        emitter: &SignalEmitter<'_>,
        revision: u32,
        parent: i32,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn items_properties_updated(
        emitter: &SignalEmitter<'_>,
        updated: Vec<(i32, HashMap<String, OwnedVariant>)>,
        removed: Vec<(i32, Vec<String>)>,
    ) -> zbus::Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_keys_become_dbusmenus() {
        assert_eq!(mnemonics("Sync && run"), "Sync & run");
        assert_eq!(mnemonics("&Quit"), "_Quit");
        assert_eq!(mnemonics("a_b"), "a__b");
    }
}
