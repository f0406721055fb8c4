//! `gloact keygen`: write a new signing key, or with `--pii` a key for identifying fields.

use std::path::Path;

use anyhow::Context;
use gloact_api::auth;

/// Writes the key to `out`, refusing to overwrite a file.
pub(crate) fn run(out: &Path, pii: bool) -> anyhow::Result<()> {
    if out.exists() {
        anyhow::bail!("{} exists; refusing to overwrite a key", out.display());
    }
    if pii {
        ensure_pii_key(out)?;
        println!("wrote {}", out.display());
        return Ok(());
    }
    let key = auth::load_or_generate_signing_key(out)?;
    println!("wrote {} (kid {})", out.display(), key.kid);
    Ok(())
}

/// Writes a new key for identifying fields to `path`, readable by its owner only, unless the file
/// is there: `keygen --pii`'s, and the embedded default's in the data folder, once.
pub(crate) fn ensure_pii_key(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    std::io::Write::write_all(
        &mut file,
        gloact_persistence::sealed::SealingKey::generate_base64().as_bytes(),
    )?;
    tracing::info!(path = %path.display(), "generated a new key for identifying fields");
    Ok(())
}
