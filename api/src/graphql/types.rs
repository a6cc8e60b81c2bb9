//! Scalars and enums shared by the domain objects.
use async_graphql::connection::{Connection, Edge};
use async_graphql::{
    Enum, InputValueError, InputValueResult, OutputType, Scalar, ScalarType, Value,
};
use chrono::NaiveDate;
use ledger::dates::DayRange;
use ledger::page::Page;

/// A 64-bit integer, serialised as a JSON number (token and request counts
/// overflow GraphQL's 32-bit `Int`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BigInt(pub i64);

#[Scalar(name = "BigInt")]
impl ScalarType for BigInt {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => n
                .as_i64()
                .map(BigInt)
                .ok_or_else(|| InputValueError::custom("expected a 64-bit integer")),
            Value::String(s) => s
                .parse()
                .map(BigInt)
                .map_err(|_| InputValueError::custom("expected a 64-bit integer")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

impl From<i64> for BigInt {
    fn from(value: i64) -> Self {
        Self(value)
    }
}

/// A Relay connection from a `jobs` page.
pub fn connection<T, N: OutputType>(
    page: Page<T>,
    had_cursor: bool,
    node: impl Fn(T) -> N,
) -> Connection<String, N> {
    let mut connection = Connection::new(had_cursor, page.has_next);
    connection.edges.extend(
        page.items
            .into_iter()
            .map(|(cursor, item)| Edge::new(cursor.encode(), node(item))),
    );
    connection
}

/// [`connection`] for nodes whose conversion can fail.
pub fn try_connection<T, N: OutputType>(
    page: Page<T>,
    had_cursor: bool,
    node: impl Fn(T) -> crate::error::ApiResult<N>,
) -> crate::error::ApiResult<Connection<String, N>> {
    let mut connection = Connection::new(had_cursor, page.has_next);
    for (cursor, item) in page.items {
        connection
            .edges
            .push(Edge::new(cursor.encode(), node(item)?));
    }
    Ok(connection)
}

/// A UTC calendar day, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => ledger::dates::parse_day(s)
                .map(Date)
                .map_err(|e| InputValueError::custom(e.to_string())),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(day: NaiveDate) -> Self {
        Self(day)
    }
}

/// The given day, or today (UTC).
pub fn day_or_today(date: Option<Date>) -> NaiveDate {
    date.map_or_else(|| chrono::Utc::now().date_naive(), |d| d.0)
}

/// Both ends of a range given as `Date`s, checked like every range.
pub fn day_range(from: Date, to: Date) -> ledger::Result<DayRange> {
    DayRange::new(from.0, to.0)
}

/// An optional range: both ends or neither.
pub fn optional_range(from: Option<Date>, to: Option<Date>) -> ledger::Result<Option<DayRange>> {
    DayRange::optional(from.map(|d| d.0), to.map(|d| d.0))
}

/// A provider whose admin API is ingested. Its values are the lowercase ids
/// the CLI and the stored rows use (`openai`, `anthropic`), so the wire
/// values are the ones the API always had.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(name = "Provider", remote = "entity::enums::ProviderKind")]
pub enum Provider {
    #[graphql(name = "openai")]
    OpenAi,
    #[graphql(name = "anthropic")]
    Anthropic,
}

/// Whether usage ran through the provider's batch API.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::Batch")]
pub enum BatchMode {
    /// The provider did not say.
    NotReported,
    Batch,
    Interactive,
}

/// Where an ingestion run stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::RunStatus")]
pub enum RunStatus {
    Running,
    Succeeded,
    /// Some days have issues; the others were stored.
    Partial,
    Failed,
}

/// What went wrong with a day of a run.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "ledger::ingest::IssueCode")]
pub enum IssueCode {
    /// The provider refused the key.
    Auth,
    /// The provider refused the request (4xx other than 401/403/429).
    ClientError,
    /// Still rate limited after every retry.
    RateLimited,
    /// Still failing with 5xx after every retry.
    ServerError,
    Timeout,
    Network,
    /// A response that could not be decoded.
    BadResponse,
    /// A pagination cursor that was refused.
    HostileCursor,
    /// Paging that did not end or went backwards.
    Pagination,
    /// Configuration (an unknown usage type, a missing key).
    Config,
    /// A bucket whose rows do not add up.
    PartialBucket,
    /// The provider returned a day twice; it was not stored.
    DuplicateBucket,
    /// The provider returned no bucket for a complete day.
    MissingBucket,
    /// A model the price book cannot price; its usage is stored unpriced.
    UnpricedModel,
    /// A failure of CogniTrack's own (the database).
    Internal,
}
