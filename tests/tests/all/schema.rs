//! `api/schema.graphql` is the checked-in contract; it must match the code.
#[test]
fn checked_in_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/schema.graphql");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    let generated = api::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).expect("write schema");
        return;
    }
    assert!(
        on_disk == generated,
        "api/schema.graphql is out of date; run `UPDATE_SCHEMA=1 cargo test -p e2e --test all schema` and commit it"
    );
}
