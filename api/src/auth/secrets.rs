//! Client secrets: made from the system's random source, shown once, kept only as argon2 hashes.
//! Hashing is slow on purpose, so it runs off the async threads.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Argon2 runs at most this many at once (each takes ~20 MiB and tens of milliseconds), so that
/// a flood of token requests can't take the server's memory and cores.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// How long a check waits for its turn before the server says it is busy.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_millis(200);

/// The server is checking as many secrets as it will at once.
#[derive(Debug, thiserror::Error)]
#[error("too many secrets are being checked; retry shortly")]
pub struct Busy;

/// Why a secret could not be made or hashed.
#[derive(Debug, thiserror::Error)]
#[error("client secret: {0}")]
pub struct SecretError(String);

/// A new secret: 32 random bytes, base64url.
pub fn generate_secret() -> Result<String, SecretError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| SecretError(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The argon2id hash of a secret, as a PHC string.
pub async fn hash_secret(secret: String) -> Result<String, SecretError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(secret.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| SecretError(e.to_string()))
    })
    .await
    .map_err(|e| SecretError(e.to_string()))?
}

/// Whether `secret` matches the stored hash. With no hash (an unknown client) a dummy hash is
/// checked, so that an unknown client id takes as long as a wrong secret.
pub async fn verify_secret(secret: String, stored: Option<String>) -> Result<bool, Busy> {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2UQo7Yh0xtG3tpeqW1dUV9oUJDuf2HdRh5ZrhCFhkE4";
    let _turn = tokio::time::timeout(HASHING_WAIT, HASHING.acquire())
        .await
        .map_err(|_| Busy)?
        .map_err(|_| Busy)?;
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| DUMMY.to_owned());
    let matches = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored).is_ok_and(|hash| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &hash)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false);
    Ok(known && matches)
}
