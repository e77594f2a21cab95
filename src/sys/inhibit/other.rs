//! Elsewhere: no sleep inhibitor is known.

use std::io;

#[derive(Debug)]
pub struct Held;

pub async fn hold(_why: &str) -> io::Result<Held> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "this system has no sleep inhibitor synctray knows",
    ))
}
