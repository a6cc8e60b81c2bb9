//! `dailyUsage` sums only the totals its selection shows: asked for one
//! sum, each path (a rollup grain, the buckets with or without the
//! archive, the buckets as of a moment) answers the same days, groups and
//! value as when asked for every sum, on both stores.
use chrono::{Days, Utc};
use e2e::app::{Backend, TestDb};
use e2e::both_backends;
use e2e::mock_provider::MockProvider;
use e2e::providers::{ingest_succeeded, mock_connections};
use ledger::dates::DayRange;
use ledger::pricing::{PriceBook, UnitRates};
use ledger::usage::revisions::AsOf;
use ledger::usage::{Dimension, Sum, UsageFilter, daily_usage};
use sim::SimConfig;

async fn one_sum_reads_as_every_sum(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let conn = &db.conn;
    let book = PriceBook::load(conn, UnitRates::default())
        .await
        .expect("book");
    let mock = MockProvider::start(SimConfig::default()).await;
    let connections = mock_connections(conn, &mock).await;
    let today = Utc::now().date_naive();
    let range = DayRange::new(today - Days::new(6), today - Days::new(1)).expect("range");
    ingest_succeeded(conn, &book, &connections, range, "daily sums").await;

    let projects = ledger::usage::filter_options(conn, Some(range))
        .await
        .expect("filter options")
        .project_ids;
    assert!(
        projects.len() >= 2,
        "the mock reports projects: {projects:?}"
    );
    let with_projects = UsageFilter {
        project_ids: projects[..2].to_vec(),
        ..UsageFilter::new(range)
    };
    let hot_only = UsageFilter {
        include_archived: Some(false),
        ..UsageFilter::new(range)
    };
    let as_of = UsageFilter {
        as_of: Some(AsOf::new(Utc::now(), Utc::now()).expect("now is a valid moment")),
        ..UsageFilter::new(range)
    };
    // (what, filter, group by): the first two read a rollup grain, the
    // others the buckets (no grain keeps user and model together).
    let cases: [(&str, &UsageFilter, &[Dimension]); 5] = [
        (
            "rollup, 2 projects by model",
            &with_projects,
            &[Dimension::Model],
        ),
        ("rollup, ungrouped", &UsageFilter::new(range), &[]),
        (
            "buckets, by user and model",
            &UsageFilter::new(range),
            &[Dimension::User, Dimension::Model],
        ),
        (
            "buckets, hot only, by project",
            &hot_only,
            &[Dimension::Project],
        ),
        ("buckets as of now, by model", &as_of, &[Dimension::Model]),
    ];
    let mut nonzero = 0;
    for (what, filter, group_by) in cases {
        let every = daily_usage(conn, filter, group_by, &Sum::ALL)
            .await
            .expect("every sum");
        assert!(every.len() >= range.len(), "{what}: {} rows", every.len());
        for sum in Sum::ALL {
            let one = daily_usage(conn, filter, group_by, &[sum])
                .await
                .expect("one sum");
            assert_eq!(one.len(), every.len(), "{what}, {sum:?}");
            for (one, every) in one.iter().zip(&every) {
                assert_eq!((one.day, &one.group), (every.day, &every.group));
                assert_eq!(one.totals, every.totals.only(&[sum]), "{what}, {sum:?}");
                if one.totals != every.totals.only(&[]) {
                    nonzero += 1;
                }
            }
        }
        let none = daily_usage(conn, filter, group_by, &[])
            .await
            .expect("no sum");
        let days_and_groups = |rows: &[ledger::usage::DailyRow]| {
            rows.iter()
                .map(|r| (r.day, r.group.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(days_and_groups(&none), days_and_groups(&every), "{what}");
    }
    // Tokens and costs at the least, on every path.
    assert!(nonzero > 5 * 2 * range.len(), "{nonzero} nonzero sums");
    mock.stop();
    db.cleanup().await;
}

both_backends!(one_sum_reads_as_every_sum);
