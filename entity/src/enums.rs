//! The enums stored in the ledger's tables. Each variant is stored as the
//! string the column has always held, so typed code reads and writes the
//! same rows as before and no data had to move.
use std::fmt;

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A string that names no variant of the enum it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {:?}: expected {}",
            self.what, self.value, self.expected
        )
    }
}

impl std::error::Error for UnknownValue {}

/// A string-backed stored enum: the SeaORM and serde derives,
/// `as_str`, `Display` and a `FromStr` whose error names the accepted values.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $($(#[$vmeta:meta])* $variant:ident = $value:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            EnumIter, DeriveActiveEnum, Serialize, Deserialize,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[sea_orm(string_value = $value)]
                #[serde(rename = $value)]
                $variant,
            )+
        }

        impl $name {
            /// The stored and wire string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($value => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        what: $what,
                        value: s.to_owned(),
                        expected: [$($value),+].join(", "),
                    }),
                }
            }
        }
    };
}

stored_enum! {
    /// A provider whose admin API is ingested.
    ProviderKind, "provider" {
        OpenAi = "openai",
        Anthropic = "anthropic",
    }
}

stored_enum! {
    /// The providers a budget counts: one, or all (stored as `''`).
    ProviderScope, "provider" {
        All = "",
        OpenAi = "openai",
        Anthropic = "anthropic",
    }
}

impl ProviderScope {
    /// The one provider counted, or `None` for all.
    pub fn provider(self) -> Option<ProviderKind> {
        match self {
            ProviderScope::All => None,
            ProviderScope::OpenAi => Some(ProviderKind::OpenAi),
            ProviderScope::Anthropic => Some(ProviderKind::Anthropic),
        }
    }
}

impl From<Option<ProviderKind>> for ProviderScope {
    fn from(provider: Option<ProviderKind>) -> Self {
        match provider {
            None => ProviderScope::All,
            Some(ProviderKind::OpenAi) => ProviderScope::OpenAi,
            Some(ProviderKind::Anthropic) => ProviderScope::Anthropic,
        }
    }
}

stored_enum! {
    /// What a budget limits: the whole organisation or one dimension value.
    BudgetScope, "budget scope" {
        Org = "org",
        Project = "project",
        ApiKey = "api_key",
        User = "user",
        Model = "model",
    }
}

stored_enum! {
    /// A budget's period: one UTC day or one UTC calendar month.
    BudgetPeriod, "budget period" {
        Daily = "daily",
        Monthly = "monthly",
    }
}

stored_enum! {
    /// Whether usage ran through a provider's batch API. "Not reported" is
    /// stored as `''`, never NULL, so the bucket unique index stays
    /// NULL-safe on every backend.
    Batch, "batch value" {
        NotReported = "",
        Batch = "true",
        Interactive = "false",
    }
}

// `stored_enum!` fixes the derive list, so the default is written out.
#[allow(clippy::derivable_impls)]
impl Default for Batch {
    fn default() -> Self {
        Batch::NotReported
    }
}

impl From<Option<bool>> for Batch {
    fn from(batch: Option<bool>) -> Self {
        match batch {
            None => Batch::NotReported,
            Some(true) => Batch::Batch,
            Some(false) => Batch::Interactive,
        }
    }
}

stored_enum! {
    /// Where an ingestion run stands.
    RunStatus, "run status" {
        Running = "running",
        /// Every day of the range was fetched and stored without an issue.
        Succeeded = "succeeded",
        /// Some days have issues; the others were stored.
        Partial = "partial",
        /// Nothing could be stored (bad key, every day failed, internal error).
        Failed = "failed",
        /// Left `running` by a process that is gone (killed, crashed, or
        /// stopped past its shutdown bound); settled at a later start.
        Abandoned = "abandoned",
    }
}
