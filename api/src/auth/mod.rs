//! Tokens: Ed25519-signed JWTs, minted by the CLI for people and, for partner systems, by OAuth2
//! client credentials (`POST /api/v1/oauth/token`), verified once per request by the
//! [`Authenticated`] extractor.

mod extractor;
mod keys;
pub mod secrets;
mod tokens;

pub use extractor::{Authenticated, BearerToken, token_service};
pub use keys::{
    CheckpointKey, KeyError, PublicKey, SigningKey, load_or_generate_signing_key, load_public_key,
    load_signing_key,
};
pub use tokens::{Claims, MintError, TokenError, TokenService};
