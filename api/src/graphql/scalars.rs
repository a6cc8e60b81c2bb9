//! Scalars shared by the domain objects.
use async_graphql::connection::{Connection, Edge};
use async_graphql::{InputValueError, InputValueResult, OutputType, Scalar, ScalarType, Value};
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
