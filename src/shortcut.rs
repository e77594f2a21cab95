//! synctray's AppUserModelID on Windows, and the Start-menu shortcut that carries it.
//!
//! Windows names a toast's sender after the AppUserModelID it was sent with: the name and
//! icon of the Start-menu shortcut that carries the same id, or of the id's registration
//! under `HKCU\Software\Classes\AppUserModelId`. A toast sent with an id that neither
//! names is dropped, so the notifier uses the id only once the installer has registered
//! it (`sys::notification`), and the installer (`data/windows/synctray.nsi`) does both: it
//! registers the id and has `synctray --set-shortcut-app-id LNK` write it into the shortcut
//! it made.
//!
//! The id is written into the shortcut's bytes here ([MS-SHLLINK]'s PropertyStoreDataBlock,
//! holding an [MS-PROPSTORE] serialized property storage), not through the shell's
//! `IPropertyStore`: the same bytes the shell writes, without COM, and the same under Wine
//! (whose shell-link property store is a stub that saves nothing), where the tests check
//! them. Whatever else the shortcut holds is kept as it is; a file that is not a shell
//! link, or one this code cannot follow to its end, is refused and left unchanged.

use std::path::Path;

pub use crate::sys::APP_USER_MODEL_ID;

/// `{9F4C2855-9F79-4B39-A8D0-E1D42DE1D5F3}`, the format id of `System.AppUserModel.*`, in
/// its on-disk byte order.
const FMTID_APP_USER_MODEL: [u8; 16] = [
    0x55, 0x28, 0x4C, 0x9F, 0x79, 0x9F, 0x39, 0x4B, 0xA8, 0xD0, 0xE1, 0xD4, 0x2D, 0xE1, 0xD5, 0xF3,
];
/// `System.AppUserModel.ID` is property 5 of that format.
const PID_ID: u32 = 5;
const VT_LPWSTR: u16 = 0x001F;
/// `{00021401-0000-0000-C000-000000000046}`, the shell link's class id (the header's).
const LINK_CLSID: [u8; 16] = [
    0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
];
const HEADER_SIZE: usize = 0x4C;
const PROPERTY_STORE_BLOCK: u32 = 0xA000_0009;
/// A serialized property storage's version: "1SPS".
const STORAGE_VERSION: u32 = 0x5350_5331;

// LinkFlags.
const HAS_TARGET_ID_LIST: u32 = 1 << 0;
const HAS_LINK_INFO: u32 = 1 << 1;
const IS_UNICODE: u32 = 1 << 7;
/// HasName, HasRelativePath, HasWorkingDir, HasArguments, HasIconLocation: the
/// StringData present, in their order.
const STRING_DATA: [u32; 5] = [1 << 2, 1 << 3, 1 << 4, 1 << 5, 1 << 6];

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// A shell link cut where its ExtraData starts: the bytes before, its blocks (each whole,
/// size and signature included), and what follows the terminal block.
struct Link<'a> {
    head: &'a [u8],
    blocks: Vec<&'a [u8]>,
    tail: &'a [u8],
}

fn parse(lnk: &[u8]) -> Result<Link<'_>, String> {
    let truncated = || "the shortcut ends before its last part: not a whole shell link".to_owned();
    if u32_at(lnk, 0) != Some(HEADER_SIZE as u32) || lnk.get(4..20) != Some(&LINK_CLSID[..]) {
        return Err("not a shell link (.lnk): its header is not one".into());
    }
    let flags = u32_at(lnk, 0x14).ok_or_else(truncated)?;
    let mut at = HEADER_SIZE;
    if flags & HAS_TARGET_ID_LIST != 0 {
        at += 2 + usize::from(u16_at(lnk, at).ok_or_else(truncated)?);
    }
    if flags & HAS_LINK_INFO != 0 {
        // LinkInfoSize counts itself.
        at += u32_at(lnk, at).ok_or_else(truncated)? as usize;
    }
    let char_size = if flags & IS_UNICODE != 0 { 2 } else { 1 };
    for flag in STRING_DATA {
        if flags & flag != 0 {
            at += 2 + char_size * usize::from(u16_at(lnk, at).ok_or_else(truncated)?);
        }
    }
    if at > lnk.len() {
        return Err(truncated());
    }
    let head = &lnk[..at];
    let mut blocks = Vec::new();
    loop {
        // A size below 4 is the terminal block (4 bytes, 0); a link may also just end.
        let Some(size) = u32_at(lnk, at) else {
            if at == lnk.len() {
                return Ok(Link {
                    head,
                    blocks,
                    tail: &[],
                });
            }
            return Err(truncated());
        };
        if size < 4 {
            return Ok(Link {
                head,
                blocks,
                tail: &lnk[at + 4..],
            });
        }
        let block = lnk.get(at..at + size as usize).ok_or_else(truncated)?;
        if block.len() < 8 {
            return Err(truncated());
        }
        blocks.push(block);
        at += size as usize;
    }
}

/// The serialized property storages of a PropertyStoreDataBlock's store (each whole, size
/// included; the terminating zero size not).
fn storages(store: &[u8]) -> Result<Vec<&[u8]>, String> {
    let bad = || "the shortcut's property store is not one this program can read".to_owned();
    let mut list = Vec::new();
    let mut at = 0;
    loop {
        let size = u32_at(store, at).ok_or_else(bad)? as usize;
        if size == 0 {
            return Ok(list);
        }
        let storage = store.get(at..at + size).ok_or_else(bad)?;
        if size < 24 || u32_at(storage, 4) != Some(STORAGE_VERSION) {
            return Err(bad());
        }
        list.push(storage);
        at += size;
    }
}

/// The values of a storage of integer-named properties: (id, the value's bytes whole).
fn values(storage: &[u8]) -> Result<Vec<(u32, &[u8])>, String> {
    let bad = || "the shortcut's AppUserModel properties are not ones this program can read";
    let mut list = Vec::new();
    let mut at = 24;
    loop {
        let size = u32_at(storage, at).ok_or_else(bad)? as usize;
        if size == 0 {
            return Ok(list);
        }
        let value = storage.get(at..at + size).ok_or_else(bad)?;
        if size < 9 {
            return Err(bad().into());
        }
        list.push((u32_at(value, 4).ok_or_else(bad)?, value));
        at += size;
    }
}

/// `System.AppUserModel.ID = id` as a serialized property value: a VT_LPWSTR, whose
/// character count includes the final NUL and whose characters are padded to 4 bytes.
fn id_value(id: &str) -> Vec<u8> {
    let mut chars: Vec<u8> = id
        .encode_utf16()
        .chain([0])
        .flat_map(u16::to_le_bytes)
        .collect();
    let count = (chars.len() / 2) as u32;
    chars.resize(chars.len().next_multiple_of(4), 0);
    let mut value = Vec::new();
    value.extend_from_slice(&[0; 4]); // its size, below
    value.extend_from_slice(&PID_ID.to_le_bytes());
    value.push(0); // reserved
    value.extend_from_slice(&VT_LPWSTR.to_le_bytes());
    value.extend_from_slice(&[0; 2]); // padding
    value.extend_from_slice(&count.to_le_bytes());
    value.extend_from_slice(&chars);
    let size = value.len() as u32;
    value[..4].copy_from_slice(&size.to_le_bytes());
    value
}

/// A size-prefixed structure: `size` (4 bytes, counting itself) then `body`.
fn sized(body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 4) as u32).to_le_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

/// The shell link `lnk` with `System.AppUserModel.ID` set to `id`: in the AppUserModel
/// storage of its property store block (made if it has none), everything else as it was.
pub fn with_app_id(lnk: &[u8], id: &str) -> Result<Vec<u8>, String> {
    if id.is_empty() || id.len() > 128 || id.contains(char::is_whitespace) {
        return Err(format!(
            "{id:?} is not an AppUserModelID: 1 to 128 characters, no spaces"
        ));
    }
    let link = parse(lnk)?;
    let store = link
        .blocks
        .iter()
        .find(|b| u32_at(b, 4) == Some(PROPERTY_STORE_BLOCK))
        .map(|b| storages(&b[8..]))
        .transpose()?
        .unwrap_or_default();
    // The AppUserModel storage, with every value but the id kept, and the new id.
    let mut ours = FMTID_APP_USER_MODEL.to_vec();
    if let Some(old) = store.iter().find(|s| s[8..24] == FMTID_APP_USER_MODEL) {
        for (pid, value) in values(old)? {
            if pid != PID_ID {
                ours.extend_from_slice(value);
            }
        }
    }
    ours.extend_from_slice(&id_value(id));
    ours.extend_from_slice(&[0; 4]);
    let mut storage_body = STORAGE_VERSION.to_le_bytes().to_vec();
    storage_body.extend_from_slice(&ours);
    let mut block_body = PROPERTY_STORE_BLOCK.to_le_bytes().to_vec();
    for storage in store.iter().filter(|s| s[8..24] != FMTID_APP_USER_MODEL) {
        block_body.extend_from_slice(storage);
    }
    block_body.extend_from_slice(&sized(&storage_body));
    block_body.extend_from_slice(&[0; 4]);
    let block = sized(&block_body);

    let mut out = link.head.to_vec();
    let mut placed = false;
    for b in &link.blocks {
        if u32_at(b, 4) == Some(PROPERTY_STORE_BLOCK) {
            if !placed {
                out.extend_from_slice(&block);
                placed = true;
            }
        } else {
            out.extend_from_slice(b);
        }
    }
    if !placed {
        out.extend_from_slice(&block);
    }
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(link.tail);
    Ok(out)
}

/// The `System.AppUserModel.ID` the shell link `lnk` carries, if any.
pub fn app_id(lnk: &[u8]) -> Result<Option<String>, String> {
    let link = parse(lnk)?;
    for block in link
        .blocks
        .iter()
        .filter(|b| u32_at(b, 4) == Some(PROPERTY_STORE_BLOCK))
    {
        for storage in storages(&block[8..])? {
            if storage[8..24] != FMTID_APP_USER_MODEL {
                continue;
            }
            for (pid, value) in values(storage)? {
                if pid != PID_ID || u16_at(value, 9) != Some(VT_LPWSTR) {
                    continue;
                }
                let bad = || "the shortcut's AppUserModelID is cut short".to_owned();
                let count = u32_at(value, 13).ok_or_else(bad)? as usize;
                let bytes = value.get(17..17 + 2 * count).ok_or_else(bad)?;
                let units: Vec<u16> = bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .take_while(|&u| u != 0)
                    .collect();
                return Ok(Some(String::from_utf16_lossy(&units)));
            }
        }
    }
    Ok(None)
}

/// `synctray --set-shortcut-app-id LNK`, which the installer runs on the shortcut it made:
/// writes [`APP_USER_MODEL_ID`] into it (atomically), or says why not.
pub fn set_app_id(path: &Path) -> Result<(), String> {
    let name = path.display();
    let lnk = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
    let stamped = with_app_id(&lnk, APP_USER_MODEL_ID).map_err(|e| format!("{name}: {e}"))?;
    crate::sys::atomic_write(path, &stamped, 0o644, crate::sys::Durability::Flushed)
        .map_err(|e| format!("{name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shell link as Wine's shell writes one for `CreateShortcut`: a target id list,
    /// link info, a description, working folder, icon location, and no extra data but
    /// the terminal block; the strings in UTF-16.
    fn link(flags: u32, extra: &[&[u8]]) -> Vec<u8> {
        let mut lnk = vec![0u8; HEADER_SIZE];
        lnk[..4].copy_from_slice(&(HEADER_SIZE as u32).to_le_bytes());
        lnk[4..20].copy_from_slice(&LINK_CLSID);
        lnk[0x14..0x18].copy_from_slice(&flags.to_le_bytes());
        if flags & HAS_TARGET_ID_LIST != 0 {
            lnk.extend_from_slice(&6u16.to_le_bytes());
            lnk.extend_from_slice(&[4, 0, 0xAA, 0xBB, 0, 0]);
        }
        if flags & HAS_LINK_INFO != 0 {
            lnk.extend_from_slice(&sized(&[0x1C, 0, 0, 0, 1, 2, 3, 4]));
        }
        for (i, flag) in STRING_DATA.into_iter().enumerate() {
            if flags & flag != 0 {
                let text = format!("string {i}");
                lnk.extend_from_slice(&(text.len() as u16).to_le_bytes());
                if flags & IS_UNICODE != 0 {
                    lnk.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                } else {
                    lnk.extend_from_slice(text.as_bytes());
                }
            }
        }
        for block in extra {
            lnk.extend_from_slice(block);
        }
        lnk.extend_from_slice(&[0; 4]);
        lnk
    }

    const WINE_FLAGS: u32 =
        HAS_TARGET_ID_LIST | HAS_LINK_INFO | IS_UNICODE | 1 << 2 | 1 << 4 | 1 << 6;

    /// An extra data block of another kind (a KnownFolderDataBlock).
    fn known_folder_block() -> Vec<u8> {
        let mut body = 0xA000_000Bu32.to_le_bytes().to_vec();
        body.extend_from_slice(&[7; 20]);
        sized(&body)
    }

    /// A property storage of another format, with one value.
    fn other_storage() -> Vec<u8> {
        let mut body = STORAGE_VERSION.to_le_bytes().to_vec();
        body.extend_from_slice(&[0x46; 16]);
        body.extend_from_slice(&sized(&[4, 0, 0, 0, 0, 0x13, 0, 0, 0, 9, 0, 0, 0]));
        body.extend_from_slice(&[0; 4]);
        sized(&body)
    }

    #[test]
    fn the_id_is_written_as_a_property_store_block_and_read_back() {
        for flags in [
            WINE_FLAGS,
            WINE_FLAGS & !IS_UNICODE,
            0,
            HAS_LINK_INFO | 1 << 5,
        ] {
            let lnk = link(flags, &[]);
            assert_eq!(app_id(&lnk), Ok(None));
            let stamped = with_app_id(&lnk, APP_USER_MODEL_ID).unwrap();
            assert_eq!(
                app_id(&stamped).unwrap().as_deref(),
                Some(APP_USER_MODEL_ID)
            );
            // Everything before the extra data is as it was; the block ends the link.
            let head = lnk.len() - 4;
            assert_eq!(stamped[..head], lnk[..head]);
            assert_eq!(stamped[stamped.len() - 4..], [0; 4]);
            assert_eq!(
                u32_at(&stamped, head + 4),
                Some(PROPERTY_STORE_BLOCK),
                "{flags:#x}"
            );
        }
    }

    #[test]
    fn the_property_value_is_laid_out_as_ms_propstore_says() {
        let value = id_value("synctray.synctray");
        // 4 size + 4 id + 1 reserved + 2 type + 2 padding + 4 count + 18 UTF-16 units.
        assert_eq!(value.len(), 53);
        assert_eq!(u32_at(&value, 0), Some(53));
        assert_eq!(u32_at(&value, 4), Some(5));
        assert_eq!(value[8], 0);
        assert_eq!(u16_at(&value, 9), Some(0x1F));
        assert_eq!(u32_at(&value, 13), Some(18));
        assert_eq!(&value[17..19], b"s\0");
        assert_eq!(&value[51..53], &[0, 0]);
        // "abc" + NUL is 8 bytes; "abcd" + NUL is 10, padded to 12.
        assert_eq!(id_value("abc").len(), 17 + 8);
        assert_eq!(id_value("abcd").len(), 17 + 12);
    }

    #[test]
    fn other_blocks_storages_and_app_user_model_values_are_kept() {
        // A link already carrying a property store (as the shell writes them) with a storage
        // of another format, an old id and another AppUserModel value, after another block.
        let mut aum = STORAGE_VERSION.to_le_bytes().to_vec();
        aum.extend_from_slice(&FMTID_APP_USER_MODEL);
        let start_pin = sized(&[12, 0, 0, 0, 0, 0x13, 0, 0, 0, 1, 0, 0, 0]);
        aum.extend_from_slice(&start_pin);
        aum.extend_from_slice(&id_value("Old.Id"));
        aum.extend_from_slice(&[0; 4]);
        let mut store = PROPERTY_STORE_BLOCK.to_le_bytes().to_vec();
        store.extend_from_slice(&other_storage());
        store.extend_from_slice(&sized(&aum));
        store.extend_from_slice(&[0; 4]);
        let known = known_folder_block();
        let lnk = link(WINE_FLAGS, &[&known, &sized(&store)]);
        assert_eq!(app_id(&lnk).unwrap().as_deref(), Some("Old.Id"));

        let stamped = with_app_id(&lnk, APP_USER_MODEL_ID).unwrap();
        assert_eq!(
            app_id(&stamped).unwrap().as_deref(),
            Some(APP_USER_MODEL_ID)
        );
        let parsed = parse(&stamped).unwrap();
        assert_eq!(parsed.blocks.len(), 2);
        assert_eq!(parsed.blocks[0], &known[..]);
        let kept = storages(&parsed.blocks[1][8..]).unwrap();
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0], &other_storage()[..]);
        let values = values(kept[1]).unwrap();
        assert_eq!(values.len(), 2, "StartPinOption kept, one id");
        assert_eq!(values[0], (12, &start_pin[..]));
        // Stamping again changes nothing.
        assert_eq!(with_app_id(&stamped, APP_USER_MODEL_ID).unwrap(), stamped);
    }

    #[test]
    fn what_is_not_a_whole_shell_link_is_refused() {
        assert!(
            with_app_id(
                b"not a link at all, but long enough to have a header",
                "a.b"
            )
            .is_err()
        );
        let lnk = link(WINE_FLAGS, &[&known_folder_block()]);
        for cut in [10, HEADER_SIZE + 3, lnk.len() - 10] {
            let err = with_app_id(&lnk[..cut], "a.b").unwrap_err();
            assert!(
                err.contains("shell link") || err.contains("shortcut"),
                "{cut}: {err}"
            );
        }
        // A broken property store is not overwritten.
        let mut store = PROPERTY_STORE_BLOCK.to_le_bytes().to_vec();
        store.extend_from_slice(&[50, 0, 0, 0, b'x', b'x', b'x', b'x']);
        let lnk = link(WINE_FLAGS, &[&sized(&store)]);
        assert!(
            with_app_id(&lnk, "a.b")
                .unwrap_err()
                .contains("property store")
        );
        assert!(with_app_id(&link(0, &[]), "with space").is_err());
    }

    #[test]
    fn a_link_without_a_terminal_block_is_ended_with_one() {
        let mut lnk = link(WINE_FLAGS, &[]);
        lnk.truncate(lnk.len() - 4);
        let stamped = with_app_id(&lnk, "a.b").unwrap();
        assert_eq!(app_id(&stamped).unwrap().as_deref(), Some("a.b"));
        assert_eq!(stamped[stamped.len() - 4..], [0; 4]);
    }
}
