//! Names the platform predicate the code needs beyond Rust's own cfgs: `gtk`, set for
//! the platforms where the tray runs on GTK (Linux and the BSDs: unix, but not macOS, iOS
//! or Android). Code says `#[cfg(gtk)]` instead of repeating the expression; the `glib`
//! dependency's target table in Cargo.toml states the same predicate, since Cargo cannot
//! read a cfg that a build script sets.
//!
//! For a Windows target it also compiles the executables' resources: the app icon
//! (`icons/synctray.ico`, which Explorer, the Start menu and the taskbar settings show) and
//! the version information (Properties → Details). Other targets need no resource compiler.
//!
//! It also embeds the translations: every `i18n/<language>/synctray.ftl` becomes an entry
//! of `LANGUAGES` in `$OUT_DIR/i18n.rs` (so a new language is a new folder), and each
//! message id of the English file a constant of `id` (`id::SYNC_NOW` for `sync-now`), so
//! that the code cannot ask for a message English does not have: it does not compile.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(gtk)");
    println!("cargo::rerun-if-changed=build.rs");
    // `windows_build`: the Windows build is there (`.ci/wine` sets SYNCTRAY_WINDOWS_BIN), or
    // this is CI, which must run tests/wine.rs for real and fail if anything is missing.
    // Without it those tests show as ignored, not as passed.
    println!("cargo::rustc-check-cfg=cfg(windows_build)");
    println!("cargo::rerun-if-env-changed=SYNCTRAY_WINDOWS_BIN");
    println!("cargo::rerun-if-env-changed=CI");
    if std::env::var_os("SYNCTRAY_WINDOWS_BIN").is_some() || std::env::var_os("CI").is_some() {
        println!("cargo::rustc-cfg=windows_build");
    }
    let var = |name| std::env::var(name).unwrap_or_default();
    let unix = var("CARGO_CFG_TARGET_FAMILY")
        .split(',')
        .any(|f| f == "unix");
    let os = var("CARGO_CFG_TARGET_OS");
    if unix && !matches!(os.as_str(), "macos" | "ios" | "android") {
        println!("cargo::rustc-cfg=gtk");
    }
    if os == "windows" {
        windows_resources();
    }
    translations();
}

/// `$OUT_DIR/i18n.rs`: the languages' files, English first, and English's message ids.
fn translations() {
    use std::fmt::Write as _;
    println!("cargo::rerun-if-changed=i18n");
    let root = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by Cargo"))
        .join("i18n");
    let mut languages: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .filter_map(|entry| {
            let entry = entry.ok()?;
            entry
                .path()
                .join("synctray.ftl")
                .is_file()
                .then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect();
    languages.sort_by_key(|l| (l != "en", l.clone()));
    assert_eq!(
        languages.first().map(String::as_str),
        Some("en"),
        "i18n/en/synctray.ftl is missing"
    );
    let mut out = String::from(
        "/// Each language's tag and messages, English first.\npub const LANGUAGES: &[(&str, &str)] = &[\n",
    );
    for lang in &languages {
        let file = root.join(lang).join("synctray.ftl");
        println!("cargo::rerun-if-changed={}", file.display());
        writeln!(
            out,
            "    ({lang:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .expect("a String takes it");
    }
    out.push_str("];\n\n/// English's message ids.\n#[allow(dead_code)]\npub mod id {\n");
    let english =
        std::fs::read_to_string(root.join("en/synctray.ftl")).expect("i18n/en/synctray.ftl reads");
    for line in english.lines() {
        let Some((name, _)) = line.split_once(" =") else {
            continue;
        };
        if name.is_empty()
            || !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            continue;
        }
        let constant = name.replace('-', "_").to_ascii_uppercase();
        writeln!(out, "    pub const {constant}: &str = {name:?};").expect("a String takes it");
    }
    out.push_str("}\n");
    let dest =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("set by Cargo")).join("i18n.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}

/// The icon and version information of each Windows executable, linked into that
/// executable only (`FileDescription` is the name Task Manager and the taskbar settings show).
fn windows_resources() {
    const ICON: &str = "icons/synctray.ico";
    println!("cargo::rerun-if-changed={ICON}");
    let mut bins = vec![("synctray", "synctray command line and daemon")];
    if std::env::var_os("CARGO_FEATURE_TRAY").is_some() {
        bins.push(("synctray-tray", "synctray"));
    }
    for (bin, description) in bins {
        let exe = format!("{bin}.exe");
        let mut res = winresource::WindowsResource::new();
        res.set_icon(ICON)
            .set("FileDescription", description)
            .set("ProductName", "synctray")
            .set("OriginalFilename", &exe)
            .set("InternalName", &exe);
        if let Err(e) = res.compile_for(bin) {
            panic!(
                "cannot compile the Windows resources of {exe} ({e}): cross-building for \
                 Windows needs mingw's windres (Debian: binutils-mingw-w64-x86-64, which \
                 gcc-mingw-w64-x86-64 pulls in), or the Windows SDK's rc.exe with MSVC"
            );
        }
    }
}
