//! `cognitrack token`: mint a JWT with the configured secret.
use anyhow::{Result, bail};
use clap::Args;

use crate::auth::{JwtKeys, Role, parse_ttl};
use crate::config::JwtArgs;

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// `viewer` may read; `admin` may also change settings.
    #[arg(long, value_enum)]
    role: Role,
    /// Who the token is for (shown in audit fields).
    #[arg(long)]
    sub: String,
    /// Lifetime, e.g. 30m, 1h, 7d.
    #[arg(long, default_value = "1h")]
    ttl: String,
    #[command(flatten)]
    jwt: JwtArgs,
}

pub fn run(args: TokenArgs) -> Result<()> {
    let Some(secret) = args.jwt.jwt_secret else {
        bail!("COGNITRACK_JWT_SECRET is not set: tokens are signed with it");
    };
    let ttl = parse_ttl(&args.ttl).map_err(anyhow::Error::msg)?;
    if args.sub.trim().is_empty() {
        bail!("--sub must not be empty");
    }
    let token = JwtKeys::new(secret.as_bytes()).mint(&args.sub, args.role, ttl)?;
    println!("{token}");
    Ok(())
}
