//! Names the platform predicate the code needs beyond Rust's own cfgs: `gtk`, set for
//! the platforms where the tray runs on GTK (Linux and the BSDs: unix, but not macOS, iOS
//! or Android). Code says `#[cfg(gtk)]` instead of repeating the expression; the `glib`
//! dependency's target table in Cargo.toml states the same predicate, since Cargo cannot
//! read a cfg that a build script sets.

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
}
