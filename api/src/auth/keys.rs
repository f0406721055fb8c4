//! Ed25519 keys: the one that signs our tokens (from a PEM file or the environment, or generated
//! into the data folder for the embedded default; never committed, never logged) and the retired
//! ones that still verify tokens they signed until they are removed.

use std::path::Path;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::spki::{DecodePublicKey, EncodePublicKey};
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

/// A public key that verifies our tokens: the signing key's, or a retired one's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The key id tokens name in their header.
    pub kid: String,
    /// The public key in SPKI PEM.
    pub pem: String,
    /// The raw 32-byte public key, for JWKS.
    pub raw: [u8; 32],
}

impl PublicKey {
    fn from_dalek(key: &ed25519_dalek::VerifyingKey) -> Result<Self, KeyError> {
        let pem = key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encode(e.to_string()))?;
        let raw = key.to_bytes();
        Ok(Self {
            kid: kid_of(&raw),
            pem,
            raw,
        })
    }

    /// Parses an Ed25519 key in PEM: a public key (SPKI), or a private key (PKCS#8) whose public
    /// half is taken, so that a retired key file can be kept as it was.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        if pem.contains("PRIVATE KEY") {
            return Ok(SigningKey::from_pem(pem)?.public());
        }
        let key = ed25519_dalek::VerifyingKey::from_public_key_pem(pem)
            .map_err(|_| KeyError::NotEd25519)?;
        Self::from_dalek(&key)
    }
}

/// The key id of a public key: the first 8 bytes of its SHA-256, in hex.
fn kid_of(raw: &[u8; 32]) -> String {
    Sha256::digest(raw)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl SigningKey {
    /// Its public half.
    pub fn public(&self) -> PublicKey {
        PublicKey {
            kid: self.kid.clone(),
            pem: self.public_pem.clone(),
            raw: self.public_raw,
        }
    }

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
        let kid = kid_of(&public_raw);
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

/// Signs checkpoints of the audit chain with the token signing key (its messages can't pass for
/// a token: see `Checkpoint::message`), so that the public keys partners already fetch from the
/// JWKS also verify the trail's head.
#[derive(Clone)]
pub struct CheckpointKey {
    kid: String,
    key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckpointKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl CheckpointKey {
    /// The signer of checkpoints with `key`.
    pub fn new(key: &SigningKey) -> Result<Self, KeyError> {
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(key.private_pem())
            .map_err(|_| KeyError::NotEd25519)?;
        Ok(Self {
            kid: kid_of(&key.verifying_key().to_bytes()),
            key,
        })
    }
}

impl gloact_persistence::audit::CheckpointSigner for CheckpointKey {
    fn key_id(&self) -> String {
        self.kid.clone()
    }

    fn sign(&self, message: &[u8]) -> String {
        use base64::Engine;
        use ed25519_dalek::Signer;
        base64::engine::general_purpose::STANDARD.encode(self.key.sign(message).to_bytes())
    }
}

impl PublicKey {
    /// Whether `signature` (base64, as [`CheckpointKey`] writes it) is this key's over `message`.
    pub fn verifies(&self, message: &[u8], signature: &str) -> bool {
        use base64::Engine;
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(signature) else {
            return false;
        };
        let Ok(signature) = ed25519_dalek::Signature::from_slice(&bytes) else {
            return false;
        };
        ed25519_dalek::VerifyingKey::from_bytes(&self.raw)
            .is_ok_and(|key| key.verify_strict(message, &signature).is_ok())
    }
}

/// Why the signing key can't be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file can't be read or written.
    #[error("key file {path}: {reason}")]
    Io {
        /// The key file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The text holds no Ed25519 key in PEM.
    #[error("the key is not an Ed25519 key in PEM (PKCS#8 private or SPKI public)")]
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

/// Reads a retired key (public or private PEM) from `path`.
pub fn load_public_key(path: &Path) -> Result<PublicKey, KeyError> {
    let pem = std::fs::read_to_string(path).map_err(|e| KeyError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    PublicKey::from_pem(&pem)
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
