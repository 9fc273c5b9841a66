//! Where Stripe's hosted page may send a buyer back to (`success_url`, `cancel_url`): only
//! the storefront's own origins, so a checkout cannot be turned into an open redirect or carry
//! a header through a line break.

use url::Url;

/// The longest return URL accepted (Stripe's own limit is 5000).
pub const MAX_URL: usize = 2048;

/// The origins a return URL may point at: `PUBLIC_BASE_URL`'s and those in
/// `ALLOWED_RETURN_ORIGINS`; plain http only on the local stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnOrigins {
    origins: Vec<String>,
    allow_http: bool,
}

impl ReturnOrigins {
    /// From base URLs or origins (`https://shop.example`, `https://shop.example/path`: only
    /// their origin counts); entries that are not absolute http(s) URLs are left out.
    pub fn new<'a>(urls: impl IntoIterator<Item = &'a str>, allow_http: bool) -> Self {
        let origins = urls
            .into_iter()
            .filter_map(|u| Url::parse(u).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| u.origin().ascii_serialization())
            .collect();
        Self {
            origins,
            allow_http,
        }
    }

    /// The origins (`https://shop.example`), as their URLs serialize them.
    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// `raw` if the buyer may be sent back there, else why not.
    pub fn check(&self, raw: &str) -> Result<String, String> {
        if raw.len() > MAX_URL {
            return Err(format!("must be at most {MAX_URL} characters"));
        }
        // The URL parser drops tabs and line breaks silently: refuse them before it does.
        if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("must not contain spaces or control characters".to_owned());
        }
        let url = Url::parse(raw).map_err(|_| "must be an absolute URL".to_owned())?;
        let scheme_ok = url.scheme() == "https" || (self.allow_http && url.scheme() == "http");
        if !scheme_ok {
            return Err(if self.allow_http {
                "must be an http or https URL".to_owned()
            } else {
                "must be an https URL".to_owned()
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not carry a user name or password".to_owned());
        }
        let origin = url.origin().ascii_serialization();
        if !self.origins.contains(&origin) {
            return Err(format!(
                "must be under the shop's own origins ({})",
                self.origins.join(", ")
            ));
        }
        Ok(raw.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployed() -> ReturnOrigins {
        ReturnOrigins::new(
            ["https://shop.example", "https://m.shop.example:8443/app"],
            false,
        )
    }

    #[test]
    fn urls_under_the_storefronts_origins_pass() {
        let o = deployed();
        for ok in [
            "https://shop.example/thanks?order={ORDER}",
            "https://shop.example",
            "https://SHOP.example/cart#top",
            "https://m.shop.example:8443/done",
            "https://shop.example:443/x",
        ] {
            assert_eq!(o.check(ok), Ok(ok.to_owned()), "{ok}");
        }
    }

    #[test]
    fn foreign_hosts_tricks_and_line_breaks_are_refused() {
        let o = deployed();
        for bad in [
            "https://evil.example/",
            "https://shop.example.evil.example/",
            "https://shop.example@evil.example/",
            "https://user:pw@shop.example/",
            "https://evil.example\\@shop.example/",
            "http://shop.example/thanks",
            "https://shop.example:8443/",
            "https://169.254.169.254/latest/meta-data",
            "https://shop.example/a\r\nSet-Cookie: x=1",
            "https://shop.example/\ta",
            "https://shop.example/ a",
            "javascript:alert(1)",
            "//shop.example/x",
            "/relative",
            "ftp://shop.example/x",
        ] {
            assert!(o.check(bad).is_err(), "{bad:?} passed");
        }
        let long = format!("https://shop.example/{}", "a".repeat(MAX_URL));
        assert!(o.check(&long).is_err());
    }

    #[test]
    fn plain_http_only_on_the_local_stack() {
        let local = ReturnOrigins::new(["http://127.0.0.1:3000"], true);
        assert!(local.check("http://127.0.0.1:3000/thanks").is_ok());
        assert!(local.check("http://127.0.0.1:3001/thanks").is_err());
        assert!(local.check("http://localhost:3000/thanks").is_err());
        let deployed = ReturnOrigins::new(["http://127.0.0.1:3000"], false);
        assert!(deployed.check("http://127.0.0.1:3000/thanks").is_err());
    }
}
