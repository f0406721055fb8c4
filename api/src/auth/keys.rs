//! The Ed25519 signing key: read from a PEM file, or generated into the data folder for the
//! embedded default (never committed, never logged).

use std::path::Path;

use ed25519_dalek::pkcs8::spki::EncodePublicKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use sha2::{Digest, Sha256};

/// A key that signs our tokens, with what verifying needs.
#[derive(Clone)]
pub struct SigningKey {
    /// The key id in our tokens' headers: a hash of the public key.
    pub kid: String,
    /// The private key in PKCS#8 PEM.
    private_pem: String,
    /// The public key in SPKI PEM.
    pub public_pem: String,
    /// The raw 32-byte public key, for JWKS.
    pub public_raw: [u8; 32],
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The private key in PKCS#8 PEM.
    pub fn private_pem(&self) -> &str {
        &self.private_pem
    }

    fn from_dalek(key: &ed25519_dalek::SigningKey) -> Result<Self, KeyError> {
        let private_pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encode(e.to_string()))?
            .to_string();
        let verifying = key.verifying_key();
        let public_pem = verifying
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encode(e.to_string()))?;
        let public_raw = verifying.to_bytes();
        let digest = Sha256::digest(public_raw);
        let kid = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            kid,
            private_pem,
            public_pem,
            public_raw,
        })
    }

    /// A new random key.
    pub fn generate() -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
        Self::from_dalek(&ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// Parses a PKCS#8 PEM Ed25519 private key.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key =
            ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(|_| KeyError::NotEd25519)?;
        Self::from_dalek(&key)
    }
}

/// Why the signing key can't be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file can't be read or written.
    #[error("signing key {path}: {reason}")]
    Io {
        /// The key file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The file holds no Ed25519 private key in PKCS#8 PEM.
    #[error("the signing key is not an Ed25519 private key in PKCS#8 PEM")]
    NotEd25519,
    /// No key configured where generating one isn't allowed.
    #[error(
        "no signing key at {0}: set GLOACT_AUTH__SIGNING_KEY_FILE to an Ed25519 PKCS#8 PEM file (generate one with `gloact keygen`)"
    )]
    Missing(String),
    /// Encoding failed.
    #[error("could not encode the key: {0}")]
    Encode(String),
    /// The system's random source failed.
    #[error("no randomness for a new key: {0}")]
    Random(String),
}

/// Reads the signing key from `path`.
pub fn load_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    if !path.exists() {
        return Err(KeyError::Missing(path.display().to_string()));
    }
    let pem = std::fs::read_to_string(path).map_err(|e| KeyError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    SigningKey::from_pem(&pem)
}

/// Reads the signing key from `path`, first generating it there (readable by the owner only) when
/// it does not exist yet.
pub fn load_or_generate_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    if path.exists() {
        return load_signing_key(path);
    }
    let io = |e: std::io::Error| KeyError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let key = SigningKey::generate()?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    write_private(path, key.private_pem()).map_err(io)?;
    tracing::info!(path = %path.display(), kid = %key.kid, "generated a new signing key");
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
