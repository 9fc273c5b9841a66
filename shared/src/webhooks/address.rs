//! Where a webhook may be sent: an `https` URL (no user name or password) whose host resolves
//! only to public addresses; never a private, loopback, link-local (the cloud metadata
//! service among them), shared, multicast or unspecified one. Checked when subscribing and
//! again before every attempt, on the addresses the name resolves to then, and the request is
//! pinned to the address that was checked, so a name that later points inside is refused.
//! The local stack lifts both rules (API.md), so tests can receive on 127.0.0.1.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::Url;

/// Looks a host name up (the system's resolver in the shop; a fake in unit tests).
pub trait Resolver {
    fn resolve(
        &self,
        host: &str,
        port: u16,
    ) -> impl std::future::Future<Output = Result<Vec<SocketAddr>, String>> + Send;
}

/// The system's resolver (getaddrinfo through tokio).
pub struct SystemResolver;

impl Resolver for SystemResolver {
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
        tokio::net::lookup_host((host, port))
            .await
            .map(|found| found.collect())
            .map_err(|e| format!("{host} does not resolve: {e}"))
    }
}

/// A URL checked by [`check_url`], and the address to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: Url,
    pub host: String,
    pub address: SocketAddr,
}

/// The URL's own rules: absolute, `https` (or `http` locally), no credentials, a host, at
/// most 2048 characters.
pub fn check_url(raw: &str, local: bool) -> Result<Url, &'static str> {
    if raw.len() > 2048 {
        return Err("must be at most 2048 characters");
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters");
    }
    let url = Url::parse(raw).map_err(|_| "must be an absolute URL")?;
    match url.scheme() {
        "https" => {}
        "http" if local => {}
        _ => return Err("must be an https URL"),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host");
    }
    Ok(url)
}

/// Whether an address is one the shop may send to.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments and benchmarking, 192.0.0.0/24 and 198.18.0.0/15.
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local fc00::/7, link-local fe80::/10, documentation 2001:db8::/32.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // NAT64 and 6to4 can reach inside: refused.
        || first == 0x0064
        || first == 0x2002)
}

/// Checks `raw` and resolves its host: every address it resolves to must be public (one
/// inside is enough to refuse: the name is not the shop's to trust). Locally anything goes.
pub async fn resolve(raw: &str, local: bool, resolver: &impl Resolver) -> Result<Target, String> {
    let url = check_url(raw, local).map_err(str::to_owned)?;
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let found = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => resolver.resolve(&host, port).await?,
    };
    let Some(first) = found.first().copied() else {
        return Err(format!("{host} resolves to no address"));
    };
    if !local && let Some(inside) = found.iter().find(|a| !is_public(a.ip())) {
        return Err(format!(
            "{host} resolves to {}, which is not a public address",
            inside.ip()
        ));
    }
    Ok(Target {
        url,
        host,
        address: first,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers from a fixed table, as DNS would at one moment.
    struct Fake(Vec<(&'static str, &'static str)>);

    impl Resolver for Fake {
        async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
            let found: Vec<SocketAddr> = self
                .0
                .iter()
                .filter(|(h, _)| *h == host)
                .map(|(_, ip)| SocketAddr::new(ip.parse().unwrap(), port))
                .collect();
            if found.is_empty() {
                Err(format!("{host} does not resolve"))
            } else {
                Ok(found)
            }
        }
    }

    #[tokio::test]
    async fn a_name_that_resolves_inside_is_refused_outside_local_mode() {
        let dns = Fake(vec![
            ("hooks.example.com", "93.184.215.14"),
            ("inside.example.com", "10.1.2.3"),
            ("metadata.example.com", "169.254.169.254"),
            ("mixed.example.com", "93.184.215.14"),
            ("mixed.example.com", "127.0.0.1"),
            ("v6.example.com", "fd00::1"),
            ("mapped.example.com", "::ffff:192.168.1.1"),
        ]);
        let ok = resolve("https://hooks.example.com/in", false, &dns)
            .await
            .unwrap();
        assert_eq!(ok.address, "93.184.215.14:443".parse().unwrap());
        assert_eq!(ok.host, "hooks.example.com");
        for refused in [
            "https://inside.example.com/x",
            "https://metadata.example.com/x",
            "https://mixed.example.com/x",
            "https://v6.example.com/x",
            "https://mapped.example.com/x",
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/x",
            "https://0.0.0.0/x",
            "https://nowhere.example.com/x",
            "http://hooks.example.com/x",
            "https://user:pw@hooks.example.com/x",
            "ftp://hooks.example.com/x",
            "not a url",
        ] {
            assert!(resolve(refused, false, &dns).await.is_err(), "{refused}");
        }
        // The local stack lifts the https and address rules.
        let local = resolve("http://127.0.0.1:9000/hook", true, &dns)
            .await
            .unwrap();
        assert_eq!(local.address, "127.0.0.1:9000".parse().unwrap());
        assert!(
            resolve("http://inside.example.com/x", true, &dns)
                .await
                .is_ok()
        );
        assert!(
            resolve("http://user@127.0.0.1/x", true, &dns)
                .await
                .is_err()
        );
    }

    #[test]
    fn public_addresses_are_public() {
        for ip in ["93.184.215.14", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "192.168.0.1",
            "172.16.5.5",
            "fe80::1",
            "::",
            "224.0.0.1",
            "198.18.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
