//! Provider admin keys: which key a connection uses (sealed in its row,
//! from the environment, or the demo key), and sealing secrets at rest
//! (provider keys, webhook signing secrets) with ChaCha20-Poly1305 under a
//! 32-byte master key, with a random nonce, bound to what the secret is
//! for and the row's name.
use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};

use entity::provider_connection::Model;

use crate::providers::{ProviderKind, ProvidersConfig};
use crate::{Error, Result};

/// Key presented to the built-in simulator by demo connections.
pub const DEMO_KEY: &str = "sk-demo-simulated";

const VERSION: &str = "v1:";
const NONCE_LEN: usize = 12;

/// The key that seals provider keys. Cloning shares one zeroised-on-drop box.
#[derive(Clone)]
pub struct MasterKey(Arc<SecretBox<[u8; 32]>>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Arc::new(SecretBox::new(Box::new(bytes))))
    }

    /// Parses 32 bytes given as 64 hex digits or base64 (standard or URL-safe,
    /// padded or not).
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).ok()
        } else {
            [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                .iter()
                .find_map(|engine| engine.decode(text).ok())
        };
        let bytes: [u8; 32] = bytes.and_then(|b| b.try_into().ok()).ok_or_else(|| {
            Error::InvalidInput(
                "the master key must be 32 bytes, written as 64 hex digits or base64".to_owned(),
            )
        })?;
        Ok(Self::from_bytes(bytes))
    }

    /// `COGNITRACK_MASTER_KEY` when set; otherwise the key in `key_file`,
    /// generated (mode 0600) on first use so a fresh install works without
    /// setup. Losing that file makes stored provider keys unreadable.
    pub fn from_config(value: Option<&str>, key_file: &Path) -> Result<Self> {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            return Self::parse(value);
        }
        match std::fs::read_to_string(key_file) {
            Ok(text) => Self::parse(&text).map_err(|_| {
                Error::InvalidInput(format!(
                    "master key file {} does not hold a 32-byte key",
                    key_file.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::generate(key_file),
            Err(e) => Err(Error::Internal(format!(
                "cannot read master key file {}: {e}",
                key_file.display()
            ))),
        }
    }

    fn generate(key_file: &Path) -> Result<Self> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let io = |e: std::io::Error| {
            Error::Internal(format!(
                "cannot write master key file {}: {e}",
                key_file.display()
            ))
        };
        if let Some(parent) = key_file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(key_file).map_err(io)?;
        std::io::Write::write_all(
            &mut file,
            format!("{}\n", STANDARD.encode(bytes)).as_bytes(),
        )
        .map_err(io)?;
        tracing::info!(path = %key_file.display(), "generated a new master key file");
        Ok(Self::from_bytes(bytes))
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(&Key::from(*self.0.expose_secret()))
    }

    /// `v1:` + base64(nonce || ciphertext+tag); `context` (the connection
    /// name) is authenticated so a sealed key cannot be moved to another row.
    pub fn seal(&self, secret: &SecretString, context: &str) -> Result<String> {
        self.seal_for(Purpose::ProviderKey, secret, context)
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<SecretString> {
        self.open_for(Purpose::ProviderKey, sealed, context)
    }

    /// Seals a secret for `purpose`: a value sealed for one purpose (or
    /// row) does not open as another.
    pub fn seal_for(
        &self,
        purpose: Purpose,
        secret: &SecretString,
        context: &str,
    ) -> Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: secret.expose_secret().as_bytes(),
                    aad: purpose.aad(context).as_bytes(),
                },
            )
            .map_err(|_| Error::Internal(format!("sealing the {} failed", purpose.noun())))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{VERSION}{}", STANDARD.encode(out)))
    }

    pub fn open_for(&self, purpose: Purpose, sealed: &str, context: &str) -> Result<SecretString> {
        let unreadable = || {
            Error::InvalidInput(format!(
                "the stored {} of {context:?} cannot be opened with this master key",
                purpose.noun()
            ))
        };
        let body = sealed.strip_prefix(VERSION).ok_or_else(unreadable)?;
        let bytes = STANDARD.decode(body).map_err(|_| unreadable())?;
        if bytes.len() <= NONCE_LEN {
            return Err(unreadable());
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| unreadable())?;
        let plain = self
            .cipher()
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.aad(context).as_bytes(),
                },
            )
            .map_err(|_| unreadable())?;
        let text = String::from_utf8(plain).map_err(|_| unreadable())?;
        Ok(SecretString::from(text))
    }
}

/// Whether `stored` is a sealed value (`v1:…`) rather than plain text.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(VERSION)
}

/// What a sealed secret is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A provider admin key; the context is the connection name.
    ProviderKey,
    /// A webhook's signing secret; the context is the webhook name.
    WebhookSecret,
}

impl Purpose {
    fn aad(self, context: &str) -> String {
        // The provider form predates purposes; keys sealed with it must
        // still open.
        match self {
            Self::ProviderKey => format!("cognitrack:provider_connection:{context}"),
            Self::WebhookSecret => format!("cognitrack:webhook_secret:{context}"),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::ProviderKey => "provider key",
            Self::WebhookSecret => "webhook signing secret",
        }
    }
}

/// First 8 hex digits of SHA-256: enough to tell keys apart, useless for
/// recovering one.
pub fn fingerprint(key: &SecretString) -> String {
    let digest = Sha256::digest(key.expose_secret().as_bytes());
    hex::encode(&digest[..4])
}

/// The variable the default connection of `provider` takes its key from.
pub fn env_var(provider: ProviderKind) -> &'static str {
    match provider {
        ProviderKind::OpenAi => "OPENAI_ADMIN_KEY",
        ProviderKind::Anthropic => "ANTHROPIC_ADMIN_KEY",
    }
}

/// The admin key for a run against `connection`.
pub fn resolve_key(connection: &Model, config: &ProvidersConfig) -> Result<SecretString> {
    if let Some(sealed) = &connection.key_ciphertext {
        let master = config.master_key.as_ref().ok_or_else(|| {
            Error::InvalidInput(format!(
                "connection {:?} has a stored key but no master key is configured",
                connection.name
            ))
        })?;
        return master.open(sealed, &connection.name);
    }
    if connection.is_demo {
        return Ok(SecretString::from(DEMO_KEY));
    }
    let provider = connection.provider;
    let key = match provider {
        ProviderKind::OpenAi => config.openai_admin_key.clone(),
        ProviderKind::Anthropic => config.anthropic_admin_key.clone(),
    };
    key.ok_or_else(|| {
        Error::InvalidInput(format!(
            "connection {:?} takes its key from {}, which is not set",
            connection.name,
            env_var(provider)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip() {
        let master = MasterKey::from_bytes([7u8; 32]);
        let key = SecretString::from("sk-admin-abc");
        let sealed = master.seal(&key, "prod").expect("seal");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("sk-admin"));
        assert_eq!(
            master.open(&sealed, "prod").expect("open").expose_secret(),
            "sk-admin-abc"
        );
        // Bound to the name, and to the master key.
        assert!(master.open(&sealed, "other").is_err());
        assert!(
            MasterKey::from_bytes([8u8; 32])
                .open(&sealed, "prod")
                .is_err()
        );
        // Random nonce: sealing twice differs.
        assert_ne!(sealed, master.seal(&key, "prod").expect("seal"));
    }

    #[test]
    fn a_purpose_is_part_of_the_seal() {
        let master = MasterKey::from_bytes([7u8; 32]);
        let secret = SecretString::from("whsec_abc");
        let sealed = master
            .seal_for(Purpose::WebhookSecret, &secret, "alerts")
            .expect("seal");
        assert!(is_sealed(&sealed) && !is_sealed("whsec_abc"));
        let opened = master
            .open_for(Purpose::WebhookSecret, &sealed, "alerts")
            .expect("open");
        assert_eq!(opened.expose_secret(), "whsec_abc");
        assert!(master.open(&sealed, "alerts").is_err());
        let error = master
            .open_for(Purpose::WebhookSecret, &sealed, "other")
            .expect_err("another row");
        assert!(!error.to_string().contains("whsec"), "{error}");
    }

    #[test]
    fn parses_hex_and_base64() {
        let hex_key = "00".repeat(32);
        assert!(MasterKey::parse(&hex_key).is_ok());
        assert!(MasterKey::parse(&STANDARD.encode([1u8; 32])).is_ok());
        assert!(MasterKey::parse(&URL_SAFE_NO_PAD.encode([255u8; 32])).is_ok());
        assert!(MasterKey::parse("short").is_err());
        assert!(MasterKey::parse(&STANDARD.encode([1u8; 16])).is_err());
    }

    #[test]
    fn key_file_is_generated_once() {
        let dir = std::env::temp_dir().join(format!("ct-mk-{}", uuid::Uuid::new_v4()));
        let path = dir.join("master.key");
        let first = MasterKey::from_config(None, &path).expect("generate");
        let second = MasterKey::from_config(Some("  "), &path).expect("reuse");
        let sealed = first.seal(&SecretString::from("k"), "n").expect("seal");
        assert!(second.open(&sealed, "n").is_ok());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn fingerprint_is_short_hex() {
        let fp = fingerprint(&SecretString::from("sk-admin-abc"));
        assert_eq!(fp.len(), 8);
        assert!(fp.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
