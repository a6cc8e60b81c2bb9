//! A closed month: its provider usage frozen at closing (the lines are in
//! `period_close_line`), with who closed it and, if it was reopened, who
//! reopened it. A close record never changes after it is written, except
//! that it may be marked reopened.
use sea_orm::entity::prelude::*;

use crate::enums::ProviderKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "period_close")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `YYYY-MM`.
    pub period: String,
    /// NULL: every provider.
    pub provider: Option<ProviderKind>,
    pub first_day: Date,
    pub last_day: Date,
    pub closed_at: DateTimeUtc,
    pub closed_by: String,
    pub reopened_at: Option<DateTimeUtc>,
    pub reopened_by: Option<String>,
    /// `period:provider` (`*`: every provider) while the close is open,
    /// NULL once reopened: its unique index allows one open close per
    /// period and scope even when two are written at the same moment.
    pub open_scope: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
