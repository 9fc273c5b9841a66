//! Logging: JSON lines in Lambda (one object per event, CloudWatch-friendly), readable text locally.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;

/// Installs the global subscriber once; later calls (tests, a second server) are no-ops.
pub fn init(format: LogFormat) {
    let filter = filter(std::env::var("RUST_LOG").ok().as_deref());
    let builder = tracing_subscriber::fmt::layer().with_target(false);
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match format {
        LogFormat::Json => registry
            .with(
                builder
                    .json()
                    .flatten_event(true)
                    .with_current_span(false)
                    .without_time(), // Lambda stamps every line itself
            )
            .try_init(),
        LogFormat::Pretty => registry.with(builder.compact()).try_init(),
    };
}

/// `RUST_LOG` as targets and levels (`info`, `warn,shop=debug`), `info` when unset or unreadable.
///
/// `Targets`, not `EnvFilter`: the latter's span and field matchers bring a regex engine into
/// every function (about 0.2 MB of code) for a syntax nobody here uses.
fn filter(spec: Option<&str>) -> Targets {
    spec.and_then(|s| s.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn rust_log_names_levels_per_target_and_defaults_to_info() {
        assert!(filter(None).would_enable("shop", &Level::INFO));
        assert!(!filter(None).would_enable("shop", &Level::DEBUG));
        let custom = filter(Some("warn,shop::worker=debug"));
        assert!(custom.would_enable("shop::worker", &Level::DEBUG));
        assert!(!custom.would_enable("hyper", &Level::INFO));
        assert!(filter(Some("shop=loud")).would_enable("shop", &Level::INFO));
    }
}
