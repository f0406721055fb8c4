//! Encryption at rest of what identifies a person: XChaCha20-Poly1305 (RustCrypto), a random
//! 192-bit nonce per record, and the row's id as associated data so a sealed record can't be
//! moved to another row. The key comes from configuration; the database sees only ciphertext.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::StoreError;

/// The key that seals identities. Its id (a fingerprint, not the key) is stored with each record,
/// so a record sealed with another key is refused clearly instead of failing as tampered.
///
/// Rotation: configure the new key with the old one as retired ([`SealingKey::with_retired`]);
/// records sealed with the old one still open, new ones are sealed with the new one, and
/// `cases::reseal_identities` seals the old ones again, after which the old key can go.
#[derive(Clone)]
pub struct SealingKey {
    cipher: XChaCha20Poly1305,
    id: String,
    /// A key of its own, derived from this one, for [`SealingKey::fingerprint`].
    fingerprint_key: [u8; 32],
    /// Keys sealed with before this one: they open what they sealed and recognise their
    /// fingerprints, never seal or fingerprint anew.
    retired: Vec<Retired>,
}

/// A key sealed with before the current one.
#[derive(Clone)]
struct Retired {
    id: String,
    cipher: XChaCha20Poly1305,
    fingerprint_key: [u8; 32],
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why a key can't be used.
#[derive(Debug, thiserror::Error)]
#[error("the identity key must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)")]
pub struct BadKey;

impl SealingKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        let id = Sha256::digest([b"gloact-identity-key:".as_slice(), bytes].concat())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        let fingerprint_key =
            Sha256::digest([b"gloact/request-fingerprint/v1:".as_slice(), bytes].concat()).into();
        Self {
            cipher: XChaCha20Poly1305::new(Key::from_slice(bytes)),
            id,
            fingerprint_key,
            retired: Vec::new(),
        }
    }

    /// A key from its base64 text (surrounding whitespace ignored).
    pub fn from_base64(text: &str) -> Result<Self, BadKey> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| BadKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| BadKey)?;
        Ok(Self::from_bytes(&bytes))
    }

    /// A new random key, as base64 text to keep.
    pub fn generate_base64() -> String {
        STANDARD.encode(XChaCha20Poly1305::generate_key(&mut OsRng))
    }

    /// This key, also opening what the `retired` keys sealed.
    #[must_use]
    pub fn with_retired(mut self, retired: impl IntoIterator<Item = SealingKey>) -> Self {
        for key in retired {
            if key.id != self.id && !self.retired.iter().any(|r| r.id == key.id) {
                self.retired.push(Retired {
                    id: key.id,
                    cipher: key.cipher,
                    fingerprint_key: key.fingerprint_key,
                });
            }
        }
        self
    }

    /// The key's fingerprint.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A keyed fingerprint (HMAC-SHA256, hex) of data that may hold identifying fields, e.g. a
    /// request body kept to recognise its retries: unlike a plain hash, it can't be matched by
    /// guessing names and birth dates against it without the key.
    pub fn fingerprint(&self, data: &[u8]) -> String {
        keyed_fingerprint(&self.fingerprint_key, data)
    }

    /// The fingerprints of `data` under this key and then each retired one: what was
    /// fingerprinted before a rotation is still recognised after it.
    pub fn fingerprints(&self, data: &[u8]) -> Vec<String> {
        std::iter::once(&self.fingerprint_key)
            .chain(self.retired.iter().map(|r| &r.fingerprint_key))
            .map(|key| keyed_fingerprint(key, data))
            .collect()
    }

    /// Seals `plaintext` for the row `row_id`: the nonce and the ciphertext.
    pub(crate) fn seal(
        &self,
        row_id: Uuid,
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), StoreError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: row_id.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Internal("sealing failed".into()))?;
        Ok((nonce.to_vec(), ciphertext))
    }

    /// Opens what [`SealingKey::seal`] sealed for `row_id`.
    pub(crate) fn open(
        &self,
        row_id: Uuid,
        key_id: &str,
        nonce: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let cipher = if key_id == self.id {
            &self.cipher
        } else {
            match self.retired.iter().find(|r| r.id == key_id) {
                Some(retired) => &retired.cipher,
                None => {
                    return Err(StoreError::Corrupt(format!(
                        "sealed with key {key_id}, neither the configured key ({}) nor a retired one",
                        self.id
                    )));
                }
            }
        };
        if nonce.len() != 24 {
            return Err(StoreError::Corrupt("nonce of the wrong length".into()));
        }
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: row_id.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Corrupt("sealed record fails authentication".into()))
    }
}

/// HMAC-SHA256 of `data` under `key`, in hex.
fn keyed_fingerprint(key: &[u8; 32], data: &[u8]) -> String {
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this can't happen.
        Err(_) => return String::new(),
    };
    mac.update(data);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_records_open_only_for_their_row_and_key() {
        let key = SealingKey::from_bytes(&[7; 32]);
        let row = Uuid::now_v7();
        let (nonce, sealed) = key.seal(row, b"Amina Begum").unwrap();
        assert!(!sealed.windows(5).any(|w| w == b"Amina"));
        assert_eq!(
            key.open(row, key.id(), &nonce, &sealed).unwrap(),
            b"Amina Begum"
        );
        assert!(key.open(Uuid::now_v7(), key.id(), &nonce, &sealed).is_err());
        let other = SealingKey::from_bytes(&[8; 32]);
        assert!(other.open(row, key.id(), &nonce, &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered[0] ^= 1;
        assert!(key.open(row, key.id(), &nonce, &tampered).is_err());
    }

    #[test]
    fn a_retired_key_opens_what_it_sealed_and_seals_nothing() {
        let old = SealingKey::from_bytes(&[1; 32]);
        let new = SealingKey::from_bytes(&[2; 32]);
        let row = Uuid::now_v7();
        let (nonce, sealed) = old.seal(row, b"Amina Begum").unwrap();
        assert!(new.open(row, old.id(), &nonce, &sealed).is_err());
        let rotated = new.clone().with_retired([old.clone()]);
        assert_eq!(
            rotated.open(row, old.id(), &nonce, &sealed).unwrap(),
            b"Amina Begum"
        );
        // What it seals now is sealed with the new key, which opens it alone.
        let (nonce, sealed) = rotated.seal(row, b"Amina Begum").unwrap();
        assert_eq!(
            new.open(row, new.id(), &nonce, &sealed).unwrap(),
            b"Amina Begum"
        );
        assert!(old.open(row, new.id(), &nonce, &sealed).is_err());
        // A request fingerprinted before the rotation is recognised after it.
        let before = old.fingerprint(b"body");
        assert_eq!(rotated.fingerprint(b"body"), new.fingerprint(b"body"));
        assert!(rotated.fingerprints(b"body").contains(&before));
        assert_eq!(rotated.fingerprints(b"body")[0], new.fingerprint(b"body"));
    }

    #[test]
    fn fingerprints_depend_on_the_key() {
        let key = SealingKey::from_bytes(&[7; 32]);
        let other = SealingKey::from_bytes(&[8; 32]);
        assert_eq!(key.fingerprint(b"body").len(), 64);
        assert_eq!(key.fingerprint(b"body"), key.fingerprint(b"body"));
        assert_ne!(key.fingerprint(b"body"), key.fingerprint(b"body2"));
        assert_ne!(key.fingerprint(b"body"), other.fingerprint(b"body"));
        let plain: String = Sha256::digest(b"body")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_ne!(key.fingerprint(b"body"), plain);
    }

    #[test]
    fn keys_parse_from_base64_of_32_bytes() {
        let text = SealingKey::generate_base64();
        assert!(SealingKey::from_base64(&text).is_ok());
        assert!(SealingKey::from_base64("c2hvcnQ=").is_err());
        assert!(SealingKey::from_base64("not base64!").is_err());
    }
}
