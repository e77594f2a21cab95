//! Linux: a route out is a default route, IPv4 (`/proc/net/route`) or IPv6
//! (`/proc/net/ipv6_route`), that is up and not a reject route.
//! A network namespace with only loopback (`unshare -n`) has none. The interface is not
//! judged: the kernel's own "no route" entries on `lo` carry the reject flag.

use std::io;

/// The route is usable (`RTF_UP`).
const RTF_UP: u32 = 0x0001;
/// The route refuses traffic (`RTF_REJECT`, "unreachable").
const RTF_REJECT: u32 = 0x0200;

/// Whether the routing tables hold a usable default route.
pub fn route_out() -> io::Result<bool> {
    let v4 = std::fs::read_to_string("/proc/net/route");
    let v6 = std::fs::read_to_string("/proc/net/ipv6_route");
    match (v4, v6) {
        (Err(e), Err(_)) => Err(e),
        (v4, v6) => Ok(v4.is_ok_and(|t| default_v4(&t)) || v6.is_ok_and(|t| default_v6(&t))),
    }
}

fn usable(flags: &str) -> bool {
    let flags = u32::from_str_radix(flags, 16).unwrap_or(0);
    flags & RTF_UP != 0 && flags & RTF_REJECT == 0
}

/// `/proc/net/route`: a header, then `Iface Destination Gateway Flags RefCnt Use Metric
/// Mask …`, addresses in hex.
fn default_v4(table: &str) -> bool {
    table.lines().skip(1).any(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        f.len() >= 8 && f[1] == "00000000" && f[7] == "00000000" && usable(f[3])
    })
}

/// `/proc/net/ipv6_route`: `dest dest_len src src_len next_hop metric refcnt use flags
/// iface`, no header.
fn default_v6(table: &str) -> bool {
    table.lines().any(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        f.len() >= 10 && f[0].bytes().all(|b| b == b'0') && f[1] == "00" && usable(f[8])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv4_default_route_is_a_route_out() {
        let table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                     eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
                     eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        assert!(default_v4(table));
        let local_only = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n\
                          eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n";
        assert!(!default_v4(local_only));
        assert!(!default_v4(
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n"
        ));
        let down = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n\
                    eth0\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\n";
        assert!(!default_v4(down));
    }

    #[test]
    fn an_ipv6_default_route_counts_but_not_the_loopback_reject_route() {
        let zeros = "00000000000000000000000000000000";
        let reject =
            format!("{zeros} 00 {zeros} 00 {zeros} ffffffff 00000001 00000000 00200200       lo\n");
        let link = format!(
            "fe800000000000000000000000000000 40 {zeros} 00 {zeros} 00000100 00000002 00000000 00000001     eth0\n"
        );
        assert!(!default_v6(&format!("{link}{reject}")));
        let default = format!(
            "{zeros} 00 {zeros} 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n"
        );
        assert!(default_v6(&format!("{link}{default}{reject}")));
        assert!(!default_v6(""));
    }
}
