//! The auth matrix, generated from the live schema: every root query and
//! mutation field is sent with no credential, broken credentials, a viewer
//! token, an admin token and an ingest key. [`ACCESS`] says who may call
//! each field; a field the schema has and the table lacks (or the reverse)
//! fails the test, so a new field cannot be forgotten.
use std::collections::{BTreeMap, BTreeSet};

use api::auth::Role;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::app::{Backend, JWT_SECRET, TestApp, error_code};
use e2e::both_backends;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Map, Value, json};

/// Who may call a root field (the rules of `api::auth::Principal`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Access {
    /// Reads: a viewer or an admin token.
    Viewer,
    /// An admin token only.
    Admin,
    /// The tracking mutations: an ingest key only.
    IngestKey,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Root {
    Query,
    Mutation,
}

use Access::{Admin, IngestKey, Viewer};
use Root::{Mutation, Query};

/// Every root field and who may call it. A field added to the schema
/// fails the matrix until it is listed here.
const ACCESS: &[(Root, &str, Access)] = &[
    (Query, "dailyUsage", Viewer),
    (Query, "usageAnomalies", Viewer),
    (Query, "usageBuckets", Viewer),
    (Query, "usageRevisions", Viewer),
    (Query, "periodCloses", Viewer),
    (Query, "filterOptions", Viewer),
    (Query, "sessions", Viewer),
    (Query, "session", Viewer),
    (Query, "interactions", Viewer),
    (Query, "dailyStats", Viewer),
    (Query, "userStats", Viewer),
    (Query, "systemStats", Viewer),
    (Query, "modelPrices", Viewer),
    (Query, "unpricedModels", Viewer),
    (Query, "ingestionRuns", Viewer),
    (Query, "ingestKeys", Admin),
    (Query, "providerConnections", Viewer),
    (Query, "budgets", Viewer),
    (Query, "budget", Viewer),
    (Query, "alerts", Viewer),
    (Query, "webhooks", Admin),
    (Query, "inventory", Viewer),
    (Query, "costReconciliation", Viewer),
    (Query, "reconciliationReports", Viewer),
    (Query, "reconciliationTolerance", Viewer),
    (Query, "attribution", Viewer),
    (Query, "unitRates", Viewer),
    (Query, "parityReports", Viewer),
    (Query, "parityReport", Viewer),
    (Mutation, "startSession", IngestKey),
    (Mutation, "recordInteraction", IngestKey),
    (Mutation, "recordInteractions", IngestKey),
    (Mutation, "endSession", IngestKey),
    (Mutation, "createIngestKey", Admin),
    (Mutation, "revokeIngestKey", Admin),
    (Mutation, "syncPricing", Admin),
    (Mutation, "runIngestion", Admin),
    (Mutation, "setPriceOverride", Admin),
    (Mutation, "addProviderConnection", Admin),
    (Mutation, "testProviderConnection", Admin),
    (Mutation, "removeProviderConnection", Admin),
    (Mutation, "setConnectionHourlyBuckets", Admin),
    (Mutation, "createBudget", Admin),
    (Mutation, "closePeriod", Admin),
    (Mutation, "reopenPeriod", Admin),
    (Mutation, "updateBudget", Admin),
    (Mutation, "deleteBudget", Admin),
    (Mutation, "createWebhook", Admin),
    (Mutation, "deleteWebhook", Admin),
    (Mutation, "evaluateBudgets", Admin),
    (Mutation, "refreshInventory", Admin),
    (Mutation, "repriceUsage", Admin),
    (Mutation, "setUnitRates", Admin),
    (Mutation, "runArchival", Admin),
    (Mutation, "restoreArchived", Admin),
    (Mutation, "importUsageCsv", Admin),
];

/// Who sends a request.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Caller {
    Anonymous,
    GarbageToken,
    WrongSecret,
    ExpiredToken,
    AlgNone,
    UnknownIngestKey,
    RevokedIngestKey,
    ViewerJwt,
    AdminJwt,
    IngestKeyHolder,
}

const CALLERS: [Caller; 10] = [
    Caller::Anonymous,
    Caller::GarbageToken,
    Caller::WrongSecret,
    Caller::ExpiredToken,
    Caller::AlgNone,
    Caller::UnknownIngestKey,
    Caller::RevokedIngestKey,
    Caller::ViewerJwt,
    Caller::AdminJwt,
    Caller::IngestKeyHolder,
];

/// The error code a caller must get, or `None` when it is allowed: no or
/// invalid credentials are UNAUTHENTICATED, a valid one of the wrong kind
/// or role is FORBIDDEN.
fn expected(access: Access, caller: Caller) -> Option<&'static str> {
    let allowed = match caller {
        Caller::Anonymous
        | Caller::GarbageToken
        | Caller::WrongSecret
        | Caller::ExpiredToken
        | Caller::AlgNone
        | Caller::UnknownIngestKey
        | Caller::RevokedIngestKey => return Some("UNAUTHENTICATED"),
        Caller::ViewerJwt => access == Viewer,
        Caller::AdminJwt => access != IngestKey,
        Caller::IngestKeyHolder => access == IngestKey,
    };
    (!allowed).then_some("FORBIDDEN")
}

const INTROSPECTION: &str = "query {
  __schema {
    queryType { name }
    mutationType { name }
    types {
      kind
      name
      fields(includeDeprecated: true) { name args { name defaultValue type { ...Ref } } type { ...Ref } }
      inputFields { name defaultValue type { ...Ref } }
      enumValues(includeDeprecated: true) { name }
    }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }";

/// The live schema, as introspection describes it.
struct Introspected {
    query: String,
    mutation: String,
    types: BTreeMap<String, Value>,
}

impl Introspected {
    async fn load(app: &TestApp, token: &str) -> Self {
        let data = app.ok(Some(token), INTROSPECTION, json!({})).await;
        let schema = &data["__schema"];
        let types = schema["types"]
            .as_array()
            .expect("types")
            .iter()
            .map(|t| (t["name"].as_str().expect("name").to_owned(), t.clone()))
            .collect();
        Self {
            query: schema["queryType"]["name"].as_str().expect("query").into(),
            mutation: schema["mutationType"]["name"]
                .as_str()
                .expect("mutation")
                .into(),
            types,
        }
    }

    fn root_fields(&self, root: Root) -> &[Value] {
        let name = match root {
            Query => &self.query,
            Mutation => &self.mutation,
        };
        self.types[name]["fields"].as_array().expect("root fields")
    }

    /// A literal for a value of type `ty`; `Upload`s become variables
    /// (sent as multipart files) named in `uploads`.
    fn literal(&self, ty: &Value, uploads: &mut Vec<String>, depth: usize) -> String {
        assert!(depth < 10, "input types nest too deep: {ty}");
        let name = ty["name"].as_str().unwrap_or_default();
        match ty["kind"].as_str().expect("kind") {
            "NON_NULL" => self.literal(&ty["ofType"], uploads, depth),
            "LIST" => format!("[{}]", self.literal(&ty["ofType"], uploads, depth + 1)),
            "ENUM" => self.types[name]["enumValues"][0]["name"]
                .as_str()
                .unwrap_or_else(|| panic!("enum {name} without values"))
                .to_owned(),
            "INPUT_OBJECT" => {
                let fields: Vec<String> = self.types[name]["inputFields"]
                    .as_array()
                    .expect("input fields")
                    .iter()
                    .filter(|f| required(f))
                    .map(|f| {
                        let value = self.literal(&f["type"], uploads, depth + 1);
                        format!("{}: {value}", f["name"].as_str().expect("name"))
                    })
                    .collect();
                format!("{{{}}}", fields.join(", "))
            }
            "SCALAR" => match name {
                "String" | "ID" => "\"1\"".into(),
                "Int" | "BigInt" => "1".into(),
                "Float" => "1.0".into(),
                "Boolean" => "false".into(),
                "Decimal" => "\"1\"".into(),
                "Date" => "\"2026-01-01\"".into(),
                "DateTime" => "\"2026-01-01T00:00:00Z\"".into(),
                "JSON" => "{}".into(),
                "Upload" => {
                    let variable = format!("upload{}", uploads.len());
                    let reference = format!("${variable}");
                    uploads.push(variable);
                    reference
                }
                other => panic!("no dummy literal for scalar {other}: add one to the auth matrix"),
            },
            other => panic!("{other} {name} is not an input type"),
        }
    }

    /// Whether a field returns an object (and so needs a selection set).
    fn is_composite(&self, ty: &Value) -> bool {
        match ty["kind"].as_str().expect("kind") {
            "NON_NULL" | "LIST" => self.is_composite(&ty["ofType"]),
            kind => matches!(kind, "OBJECT" | "INTERFACE" | "UNION"),
        }
    }
}

/// A non-null argument or input field without a default.
fn required(input: &Value) -> bool {
    input["type"]["kind"] == "NON_NULL" && input["defaultValue"].is_null()
}

/// One root field as a complete operation with dummy arguments.
struct Operation {
    field: String,
    text: String,
    uploads: Vec<String>,
}

impl Operation {
    fn new(schema: &Introspected, root: Root, field: &Value) -> Self {
        let name = field["name"].as_str().expect("name").to_owned();
        let mut uploads = Vec::new();
        let args: Vec<String> = field["args"]
            .as_array()
            .expect("args")
            .iter()
            .filter(|a| required(a))
            .map(|a| {
                let value = schema.literal(&a["type"], &mut uploads, 0);
                format!("{}: {value}", a["name"].as_str().expect("name"))
            })
            .collect();
        let args = if args.is_empty() {
            String::new()
        } else {
            format!("({})", args.join(", "))
        };
        let selection = if schema.is_composite(&field["type"]) {
            " { __typename }"
        } else {
            ""
        };
        let variables = if uploads.is_empty() {
            String::new()
        } else {
            let declared: Vec<String> = uploads.iter().map(|u| format!("${u}: Upload!")).collect();
            format!("({})", declared.join(", "))
        };
        let keyword = match root {
            Query => "query",
            Mutation => "mutation",
        };
        Self {
            text: format!("{keyword}{variables} {{ {name}{args}{selection} }}"),
            field: name,
            uploads,
        }
    }

    /// POSTs the operation: plain JSON, or a GraphQL multipart request
    /// with one small file per `Upload`.
    async fn send(&self, app: &TestApp, bearer: Option<&str>) -> Value {
        if self.uploads.is_empty() {
            return app.gql(bearer, &self.text, json!({})).await;
        }
        let variables: Map<String, Value> = self
            .uploads
            .iter()
            .map(|u| (u.clone(), Value::Null))
            .collect();
        let map: Map<String, Value> = self
            .uploads
            .iter()
            .enumerate()
            .map(|(i, u)| (i.to_string(), json!([format!("variables.{u}")])))
            .collect();
        let mut form = reqwest::multipart::Form::new()
            .text(
                "operations",
                json!({"query": self.text, "variables": variables}).to_string(),
            )
            .text("map", Value::Object(map).to_string());
        for i in 0..self.uploads.len() {
            form = form.part(
                i.to_string(),
                reqwest::multipart::Part::bytes(b"date\n".to_vec())
                    .file_name("dummy.csv")
                    .mime_str("text/csv")
                    .expect("mime"),
            );
        }
        let mut request = reqwest::Client::new()
            .post(app.url("/graphql"))
            .multipart(form);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .expect("multipart request")
            .json()
            .await
            .expect("json body")
    }
}

fn forged_alg_none() -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let exp = chrono::Utc::now().timestamp() + 3600;
    let claims = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"sub":"mallory","role":"admin","exp":{exp},"iat":0}}"#
    ));
    format!("{header}.{claims}.")
}

fn signed(secret: &str, exp_offset: i64, role: &str) -> String {
    let exp = chrono::Utc::now().timestamp() + exp_offset;
    encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": "mallory", "role": role, "exp": exp, "iat": 0}),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

async fn every_root_field_is_authorised(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.token(Role::Viewer);
    let admin = app.token(Role::Admin);
    let revoked = ledger::tracking::keys::create(&app.state.db, "revoked")
        .await
        .expect("key");
    ledger::tracking::keys::revoke(&app.state.db, revoked.id)
        .await
        .expect("revoke");
    let schema = Introspected::load(&app, &admin).await;

    // The table and the schema name the same fields, each once.
    let table: BTreeMap<(Root, &str), Access> = ACCESS
        .iter()
        .map(|&(root, field, access)| ((root, field), access))
        .collect();
    assert_eq!(
        table.len(),
        ACCESS.len(),
        "a field is listed twice in ACCESS"
    );
    let live: BTreeSet<(Root, &str)> = [Query, Mutation]
        .into_iter()
        .flat_map(|root| {
            schema
                .root_fields(root)
                .iter()
                .map(move |f| (root, f["name"].as_str().expect("name")))
        })
        .collect();
    let listed: BTreeSet<(Root, &str)> = table.keys().copied().collect();
    let unlisted: Vec<_> = live.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "root fields missing from ACCESS (say who may call them): {unlisted:?}"
    );
    let stale: Vec<_> = listed.difference(&live).collect();
    assert!(
        stale.is_empty(),
        "ACCESS lists fields the schema does not have: {stale:?}"
    );

    let mut checked: BTreeMap<Root, usize> = BTreeMap::new();
    let mut cases = 0;
    for root in [Query, Mutation] {
        for field in schema.root_fields(root) {
            let operation = Operation::new(&schema, root, field);
            let name = operation.field.as_str();
            let access = table[&(root, name)];
            for caller in CALLERS {
                let credential = match caller {
                    Caller::Anonymous => None,
                    Caller::GarbageToken => Some("not-a-token".to_owned()),
                    Caller::WrongSecret => {
                        Some(signed("not-the-secret-at-all-0123456789", 3600, "admin"))
                    }
                    Caller::ExpiredToken => Some(signed(JWT_SECRET, -10, "admin")),
                    Caller::AlgNone => Some(forged_alg_none()),
                    Caller::UnknownIngestKey => Some("ct_0000".to_owned()),
                    Caller::RevokedIngestKey => Some(revoked.secret.clone()),
                    Caller::ViewerJwt => Some(viewer.clone()),
                    Caller::AdminJwt => Some(admin.clone()),
                    // A key of its own: an earlier `revokeIngestKey` cannot touch it.
                    Caller::IngestKeyHolder => Some(app.ingest_key().await),
                };
                let body = operation.send(&app, credential.as_deref()).await;
                let context = format!(
                    "{name} ({access:?}) as {caller:?}\n  operation: {}\n  answer: {body}",
                    operation.text
                );
                match expected(access, caller) {
                    Some(code) => {
                        assert_eq!(error_code(&body), Some(code), "{context}");
                        assert_eq!(
                            body["errors"].as_array().map(Vec::len),
                            Some(1),
                            "{context}"
                        );
                        assert!(
                            body["data"].get(name).is_none_or(Value::is_null),
                            "refused but answered: {context}"
                        );
                    }
                    None => {
                        let codes: Vec<&str> = body["errors"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|e| e["extensions"]["code"].as_str())
                            .collect();
                        assert!(
                            !codes.contains(&"UNAUTHENTICATED") && !codes.contains(&"FORBIDDEN"),
                            "should be allowed: {context}"
                        );
                    }
                }
                cases += 1;
            }
            *checked.entry(root).or_default() += 1;
        }
    }

    let queries = checked.get(&Query).copied().unwrap_or_default();
    let mutations = checked.get(&Mutation).copied().unwrap_or_default();
    assert!(queries > 0 && mutations > 0, "{checked:?}");
    assert_eq!(queries, schema.root_fields(Query).len());
    assert_eq!(mutations, schema.root_fields(Mutation).len());
    assert_eq!(queries + mutations, ACCESS.len());
    assert_eq!(cases, (queries + mutations) * CALLERS.len());
    eprintln!(
        "auth matrix on {backend:?}: {queries} queries, {mutations} mutations, {cases} cases"
    );
    app.stop().await;
}

/// A key works until it is revoked, then at once stops; keys are listed
/// by prefix, never in full.
async fn revoked_ingest_key_stops_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token(Role::Admin);
    let created = app
        .ok(
            Some(&admin),
            "mutation { createIngestKey(name: \"temp\") { id key } }",
            json!({}),
        )
        .await;
    let temp_key = created["createIngestKey"]["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let temp_id = created["createIngestKey"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let works = app
        .gql(
            Some(&temp_key),
            "mutation { startSession(input: {userId: \"u\"}) { id } }",
            json!({}),
        )
        .await;
    assert!(works.get("errors").is_none(), "{works}");
    app.ok(
        Some(&admin),
        "mutation($id: ID!) { revokeIngestKey(id: $id) { revokedAt } }",
        json!({"id": temp_id}),
    )
    .await;
    let refused = app
        .gql(
            Some(&temp_key),
            "mutation { startSession(input: {userId: \"u\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&refused), Some("UNAUTHENTICATED"), "{refused}");
    // The key is listed by its prefix, never in full.
    let keys = app
        .ok(Some(&admin), "{ ingestKeys { prefix name } }", json!({}))
        .await;
    let listed = keys["ingestKeys"].as_array().expect("keys");
    let temp = listed
        .iter()
        .find(|k| k["name"] == "temp")
        .unwrap_or_else(|| panic!("the key is listed: {keys}"));
    let prefix = temp["prefix"].as_str().expect("prefix");
    assert!(
        prefix.len() < temp_key.len() && temp_key.starts_with(prefix),
        "{temp}"
    );
    assert!(!keys.to_string().contains(&temp_key), "{keys}");

    app.stop().await;
}

both_backends!(
    every_root_field_is_authorised,
    revoked_ingest_key_stops_at_once
);
