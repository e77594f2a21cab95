//! Names the one platform predicate the code needs beyond Rust's own cfgs: `gtk`, set for
//! the platforms where the tray runs on GTK (Linux and the BSDs: unix, but not macOS, iOS
//! or Android). Code says `#[cfg(gtk)]` instead of repeating the expression; the `glib`
//! dependency's target table in Cargo.toml states the same predicate, since Cargo cannot
//! read a cfg that a build script sets.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(gtk)");
    println!("cargo::rerun-if-changed=build.rs");
    let var = |name| std::env::var(name).unwrap_or_default();
    let unix = var("CARGO_CFG_TARGET_FAMILY")
        .split(',')
        .any(|f| f == "unix");
    let os = var("CARGO_CFG_TARGET_OS");
    if unix && !matches!(os.as_str(), "macos" | "ios" | "android") {
        println!("cargo::rustc-cfg=gtk");
    }
}
