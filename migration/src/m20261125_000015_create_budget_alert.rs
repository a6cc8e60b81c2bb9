use entity::budget_alert::Column as C;

// One alert per (budget, period, threshold): re-runs and concurrent
// evaluators insert with ON CONFLICT DO NOTHING against this index.
crate::create::create_table_migration!(
    entity::budget_alert::Entity,
    [
        Index::create()
            .name("ux_budget_alert_once")
            .table(entity::budget_alert::Entity)
            .col(C::BudgetId)
            .col(C::PeriodStart)
            .col(C::ThresholdPct)
            .unique()
            .to_owned(),
        Index::create()
            .name("ix_budget_alert_delivered")
            .table(entity::budget_alert::Entity)
            .col(C::DeliveredAt)
            .to_owned(),
    ]
);
