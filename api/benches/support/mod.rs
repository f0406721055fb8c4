//! What the HTTP benchmarks share: the server's settings on a database, and percentiles.

use std::time::Duration;

use gloact_api::config::Settings;

/// Settings for a server on `url`, on a free port, with a fresh key of identifying fields.
pub fn settings(url: &str) -> Settings {
    let mut settings = Settings {
        database_url: Some(url.to_owned()),
        ..Settings::default()
    };
    settings.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    settings.pii.key = Some(gloact_persistence::sealed::SealingKey::generate_base64().into());
    settings
}

/// The `p` quantile (0 to 1) of sorted latencies.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
