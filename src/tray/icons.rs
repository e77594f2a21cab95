//! The five tray icons, embedded in the binary as the PNGs of `icons/` and decoded once
//! at start-up into the RGBA pixels that `tray-icon` wants.

use tray_icon::Icon;

use super::state::IconKind;

/// The 64 px icons, or the 32 px ones: the platform's choice.
const LARGE: bool = crate::sys::tray::LARGE_ICONS;

fn png_bytes(kind: IconKind) -> &'static [u8] {
    match (kind, LARGE) {
        (IconKind::Ok, false) => include_bytes!("../../icons/ok.png"),
        (IconKind::Syncing, false) => include_bytes!("../../icons/syncing.png"),
        (IconKind::Error, false) => include_bytes!("../../icons/error.png"),
        (IconKind::Paused, false) => include_bytes!("../../icons/paused.png"),
        (IconKind::Stale, false) => include_bytes!("../../icons/stale.png"),
        (IconKind::Ok, true) => include_bytes!("../../icons/ok@2x.png"),
        (IconKind::Syncing, true) => include_bytes!("../../icons/syncing@2x.png"),
        (IconKind::Error, true) => include_bytes!("../../icons/error@2x.png"),
        (IconKind::Paused, true) => include_bytes!("../../icons/paused@2x.png"),
        (IconKind::Stale, true) => include_bytes!("../../icons/stale@2x.png"),
    }
}

/// The decoded icons, one per state.
pub struct Icons {
    ok: Icon,
    syncing: Icon,
    error: Icon,
    paused: Icon,
    stale: Icon,
}

impl Icons {
    /// Decodes the embedded PNGs (which a unit test checks, so this cannot fail at run time
    /// unless the binary is corrupt).
    pub fn load() -> Icons {
        let icon = |kind| {
            let (rgba, width, height) = decode(png_bytes(kind))
                .unwrap_or_else(|e| panic!("embedded {} icon: {e}", kind.name()));
            Icon::from_rgba(rgba, width, height)
                .unwrap_or_else(|e| panic!("embedded {} icon: {e}", kind.name()))
        };
        Icons {
            ok: icon(IconKind::Ok),
            syncing: icon(IconKind::Syncing),
            error: icon(IconKind::Error),
            paused: icon(IconKind::Paused),
            stale: icon(IconKind::Stale),
        }
    }

    pub fn get(&self, kind: IconKind) -> Icon {
        match kind {
            IconKind::Ok => self.ok.clone(),
            IconKind::Syncing => self.syncing.clone(),
            IconKind::Error => self.error.clone(),
            IconKind::Paused => self.paused.clone(),
            IconKind::Stale => self.stale.clone(),
        }
    }
}

/// A PNG's pixels as 8-bit RGBA, with its width and height.
pub fn decode(bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(
        png::Transformations::normalize_to_color8() | png::Transformations::ALPHA,
    );
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or("the image is too large")?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        other => return Err(format!("unexpected colour type {other:?} after expansion")),
    };
    Ok((rgba, info.width, info.height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_icon_decodes_to_distinct_square_rgba() {
        let kinds = [
            IconKind::Ok,
            IconKind::Syncing,
            IconKind::Error,
            IconKind::Paused,
            IconKind::Stale,
        ];
        let mut seen = Vec::new();
        for kind in kinds {
            let (rgba, w, h) = decode(png_bytes(kind)).unwrap();
            assert_eq!(
                (w, h),
                if LARGE { (64, 64) } else { (32, 32) },
                "{}",
                kind.name()
            );
            assert_eq!(rgba.len(), (w * h * 4) as usize);
            assert!(
                rgba.chunks_exact(4).any(|p| p[3] == 0),
                "{} has a transparent background",
                kind.name()
            );
            assert!(
                !seen.contains(&rgba),
                "{} differs from the others",
                kind.name()
            );
            seen.push(rgba);
        }
        let _ = Icons::load();
    }
}
