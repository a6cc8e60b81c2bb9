//! Scalars and enums shared by the domain objects.
use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{
    Enum, InputValueError, InputValueResult, ObjectType, OutputType, Scalar, ScalarType, Value,
};
use chrono::NaiveDate;
use ledger::dates::DayRange;
use ledger::page::Page;

/// A 64-bit integer, serialised as a JSON number (token and request counts
/// overflow GraphQL's 32-bit `Int`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BigInt(pub i64);

/// A 64-bit integer, as a JSON number. As input: a JSON integer, or a
/// string of decimal digits with an optional `-`, from
/// -9223372036854775808 to 9223372036854775807; fractions, exponents and
/// numbers out of that range are refused with `BAD_USER_INPUT`.
#[Scalar(name = "BigInt")]
impl ScalarType for BigInt {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => match n.as_i64() {
                Some(v) => Ok(BigInt(v)),
                None if n.is_f64() => Err(InputValueError::custom(format!(
                    "BigInt must be written as an integer, without fraction or exponent; got {n}"
                ))),
                None => Err(big_int_range(n)),
            },
            Value::String(s) => parse_big_int(s),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

/// A `BigInt` given as text: an optional `-` and decimal digits only.
fn parse_big_int(text: &str) -> InputValueResult<BigInt> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InputValueError::custom(format!(
            "BigInt must be written as an integer, without fraction or exponent; got {text:?}"
        )));
    }
    text.parse().map(BigInt).map_err(|_| big_int_range(text))
}

fn big_int_range(shown: impl std::fmt::Display) -> InputValueError<BigInt> {
    InputValueError::custom(format!(
        "BigInt must be between {} and {}, got {shown}",
        i64::MIN,
        i64::MAX
    ))
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
    connection_with(page, had_cursor, EmptyFields, node)
}

/// [`connection`] with fields of the whole page beside its rows.
pub fn connection_with<T, N: OutputType, F: ObjectType>(
    page: Page<T>,
    had_cursor: bool,
    fields: F,
    node: impl Fn(T) -> N,
) -> Connection<String, N, F> {
    let mut connection = Connection::with_additional_fields(had_cursor, page.has_next, fields);
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
    /// Left running by a process that is gone (killed, crashed or stopped
    /// past its shutdown bound); settled when a process starts next.
    Abandoned,
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
    /// The hourly buckets of a day do not sum to its daily bucket; the
    /// hours were not stored.
    HourlyMismatch,
    /// A model the price book cannot price; its usage is stored unpriced.
    UnpricedModel,
    /// A failure of CogniTrack's own (the database).
    Internal,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: serde_json::Value) -> Result<i64, String> {
        let value = Value::from_json(json).expect("value");
        <BigInt as ScalarType>::parse(value)
            .map(|b| b.0)
            .map_err(|e| e.into_server_error(async_graphql::Pos::default()).message)
    }

    #[test]
    fn big_int_input_is_a_whole_64_bit_number() {
        use serde_json::json;
        assert_eq!(parse(json!(i64::MAX)), Ok(i64::MAX));
        assert_eq!(parse(json!(i64::MIN)), Ok(i64::MIN));
        assert_eq!(parse(json!("-42")), Ok(-42));
        for whole in [
            json!(1.5),
            json!(1e3),
            json!("1e3"),
            json!("1.0"),
            json!(""),
            json!("-"),
        ] {
            let message = parse(whole.clone()).expect_err("refused");
            assert!(
                message.contains("written as an integer"),
                "{whole}: {message}"
            );
        }
        for range in [
            json!(u64::MAX),
            json!("9223372036854775808"),
            json!("-9223372036854775809"),
        ] {
            let message = parse(range.clone()).expect_err("refused");
            assert!(
                message.contains("between -9223372036854775808 and 9223372036854775807"),
                "{range}: {message}"
            );
        }
        assert!(parse(json!(true)).is_err());
    }
}
