use super::tree::{parent_of, parse_pid};
use super::*;

#[test]
fn parent_ids_come_from_proc() {
    let me = std::process::id() as pid_t;
    // SAFETY: getppid has no preconditions.
    let parent = unsafe { libc::getppid() };
    assert_eq!(parent_of(me), Some(parent));
    assert_eq!(parse_pid(b"1234\0\0"), Some(1234));
    assert_eq!(parse_pid(b"self\0"), None);
    assert_eq!(parse_pid(b".\0"), None);
}
