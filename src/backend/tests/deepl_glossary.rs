//! DeepL's glossary API on a wiremock server that keeps glossaries as DeepL does
//! (`POST/GET /v2/glossaries`, `DELETE /v2/glossaries/{id}`, `glossary_id` in
//! `/v2/translate`, 404 for an unknown id), across several runs (one backend object
//! per run).

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::glossary::{GLOSSARY, glossary};
use super::support::*;
use crate::backend::{Chain, Translated};

/// The account's glossaries: the object DeepL lists, and the TSV entries.
#[derive(Clone, Default)]
struct Account(Arc<Mutex<AccountState>>);

#[derive(Default)]
struct AccountState {
    glossaries: Vec<(Value, String)>,
    created: usize,
}

impl Account {
    fn ids(&self) -> Vec<String> {
        let state = self.0.lock().unwrap();
        state
            .glossaries
            .iter()
            .map(|(g, _)| g["glossary_id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Someone deletes every glossary in DeepL's web interface.
    fn clear(&self) {
        self.0.lock().unwrap().glossaries.clear();
    }

    fn entries(&self, id: &str) -> Option<String> {
        let state = self.0.lock().unwrap();
        state
            .glossaries
            .iter()
            .find(|(g, _)| g["glossary_id"] == id)
            .map(|(_, e)| e.clone())
    }
}

struct Create(Account);
struct List(Account);
struct Delete(Account);
/// Translates as `EN ` + the text with the glossary's entries applied.
struct Translate(Account);

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"message": "Glossary not found"}))
}

impl Respond for Create {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let mut state = self.0.0.lock().unwrap();
        state.created += 1;
        let entries = body["entries"].as_str().unwrap().to_owned();
        let glossary = json!({
            "glossary_id": format!("def3a26b-3e84-45b3-84ae-0c0aaf3525f{}", state.created),
            "name": body["name"], "ready": true,
            "source_lang": body["source_lang"], "target_lang": body["target_lang"],
            "creation_time": "2026-11-30T10:00:00.000000Z",
            "entry_count": entries.lines().count(),
        });
        state.glossaries.push((glossary.clone(), entries));
        ResponseTemplate::new(201).set_body_json(glossary)
    }
}

impl Respond for List {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let state = self.0.0.lock().unwrap();
        let list: Vec<&Value> = state.glossaries.iter().map(|(g, _)| g).collect();
        ResponseTemplate::new(200).set_body_json(json!({"glossaries": list}))
    }
}

impl Respond for Delete {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request.url.path().rsplit('/').next().unwrap_or_default();
        let mut state = self.0.0.lock().unwrap();
        let before = state.glossaries.len();
        state.glossaries.retain(|(g, _)| g["glossary_id"] != id);
        if state.glossaries.len() < before {
            ResponseTemplate::new(204)
        } else {
            not_found()
        }
    }
}

impl Respond for Translate {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let entries = match body["glossary_id"].as_str() {
            Some(id) => match self.0.entries(id) {
                Some(entries) => entries,
                None => return not_found(),
            },
            None => String::new(),
        };
        let texts: Vec<String> = sent_texts("deepl", &request.body)
            .iter()
            .map(|text| {
                let mut out = text.clone();
                for line in entries.lines() {
                    if let Some((source, target)) = line.split_once('\t') {
                        out = out.replace(source, target);
                    }
                }
                format!("EN {out}")
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(answer("deepl", &texts))
    }
}

/// The DeepL server, and the mocks' expected call counts: creations, lists, deletions.
async fn server(account: &Account, creates: u64, lists: u64, deletes: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/glossaries"))
        .and(body_partial_json(
            json!({"source_lang": "vi", "entries_format": "tsv"}),
        ))
        .respond_with(Create(account.clone()))
        .expect(creates)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/glossaries"))
        .respond_with(List(account.clone()))
        .expect(lists)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path_regex("^/v2/glossaries/[^/]+$"))
        .respond_with(Delete(account.clone()))
        .expect(deletes)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .and(body_partial_json(json!({"source_lang": "VI"})))
        .respond_with(Translate(account.clone()))
        .mount(&server)
        .await;
    server
}

/// One run: a new backend with `glossary_text`, translating `texts` into `target`.
async fn run(
    server: &MockServer,
    glossary_text: &str,
    target: &str,
    texts: &[&str],
) -> Vec<String> {
    let chain = Chain::new(vec![backend(&config("deepl", &server.uri()))])
        .with_glossary(glossary(glossary_text));
    translate(&chain, target, texts).await
}

async fn translate(chain: &Chain, target: &str, texts: &[&str]) -> Vec<String> {
    chain
        .translate(&batch_to(target, texts))
        .await
        .unwrap()
        .into_iter()
        .map(|r: Result<Translated, String>| r.unwrap().text)
        .collect()
}

/// The glossary ids the translation requests used, in order.
async fn used_ids(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/v2/translate")
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            body["glossary_id"].as_str().unwrap_or("none").to_owned()
        })
        .collect()
}

#[tokio::test]
async fn created_once_per_pair_and_reused_by_the_next_run() {
    let account = Account::default();
    // Two runs: the first lists and creates one glossary per language pair; the
    // second lists and creates nothing.
    let server = server(&account, 2, 2, 0).await;
    let chain = Chain::new(vec![backend(&config("deepl", &server.uri()))])
        .with_glossary(glossary(GLOSSARY));
    let (en, en_again, ko) = tokio::join!(
        translate(&chain, "en", &["UBND tỉnh họp."]),
        translate(&chain, "en", &["Viettel và Sở Thông tin và Truyền thông."]),
        translate(&chain, "ko", &["UBND tỉnh họp."]),
    );
    assert_eq!(en, ["EN Provincial People's Committee họp."]);
    assert_eq!(
        en_again,
        ["EN Viettel và Department of Information and Communications."]
    );
    assert_eq!(ko, ["EN 성 인민위원회 họp."]);
    let second = run(&server, GLOSSARY, "en", &["Ủy ban nhân dân tỉnh họp."]).await;
    assert_eq!(second, ["EN Provincial People's Committee họp."]);

    let created = server.received_requests().await.unwrap();
    let en_glossary: Value = created
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/v2/glossaries")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .find(|b: &Value| b["target_lang"] == "en")
        .unwrap();
    assert_eq!(
        en_glossary["entries"],
        "UBND tỉnh\tProvincial People's Committee\n\
         Ủy ban nhân dân tỉnh\tProvincial People's Committee\n\
         Sở Thông tin và Truyền thông\tDepartment of Information and Communications\n\
         Viettel\tViettel"
    );
    let name = en_glossary["name"].as_str().unwrap();
    assert!(name.starts_with("dich: vi → en "), "{name}");
    let ids = used_ids(&server).await;
    assert_eq!(ids.len(), 4);
    assert!(ids.iter().all(|id| id != "none"), "{ids:?}");
    assert_eq!(account.ids().len(), 2);
}

#[tokio::test]
async fn a_changed_entry_replaces_the_glossary_once() {
    let account = Account::default();
    // Three runs: the original, a changed entry (one creation, one deletion), and
    // the changed glossary again (nothing).
    let server = server(&account, 2, 3, 1).await;
    run(&server, GLOSSARY, "en", &["UBND tỉnh họp."]).await;
    let old = account.ids();
    let changed = GLOSSARY.replace(
        "Department of Information and Communications",
        "Provincial Department of Information and Communications",
    );
    let out = run(
        &server,
        &changed,
        "en",
        &["Sở Thông tin và Truyền thông họp."],
    )
    .await;
    assert_eq!(
        out,
        ["EN Provincial Department of Information and Communications họp."]
    );
    let new = account.ids();
    assert_eq!(new.len(), 1);
    assert_ne!(new, old);
    run(&server, &changed, "en", &["UBND tỉnh họp."]).await;
    assert_eq!(account.ids(), new);
    let deleted: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "DELETE")
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(deleted, [format!("/v2/glossaries/{}", old[0])]);
}

#[tokio::test]
async fn a_glossary_deleted_on_the_server_is_created_again() {
    let account = Account::default();
    // Run 1 creates it; deleted on the server mid-run, the 404 on use recreates it;
    // deleted between runs, run 2 does not find it in the list and recreates it.
    let server = server(&account, 3, 2, 0).await;
    let chain = Chain::new(vec![backend(&config("deepl", &server.uri()))])
        .with_glossary(glossary(GLOSSARY));
    translate(&chain, "en", &["UBND tỉnh họp."]).await;
    let first = account.ids();
    account.clear();
    let out = translate(&chain, "en", &["UBND tỉnh họp lại."]).await;
    assert_eq!(out, ["EN Provincial People's Committee họp lại."]);
    let second = account.ids();
    assert_eq!(second.len(), 1);
    assert_ne!(second, first);
    account.clear();
    let out = run(&server, GLOSSARY, "en", &["UBND tỉnh."]).await;
    assert_eq!(out, ["EN Provincial People's Committee."]);
    let ids = used_ids(&server).await;
    assert_eq!(
        ids,
        [
            first[0].clone(),
            first[0].clone(),
            second[0].clone(),
            account.ids()[0].clone()
        ]
    );
}

#[tokio::test]
async fn another_projects_glossary_is_left_alone() {
    let account = Account::default();
    account.0.lock().unwrap().glossaries.push((
        json!({"glossary_id": "other-project", "name": "dich: vi → en 0123456789abcdef",
            "ready": true, "source_lang": "vi", "target_lang": "en",
            "creation_time": "2026-11-01T10:00:00.000000Z", "entry_count": 1}),
        "Hà Nội\tHanoi".to_owned(),
    ));
    // A project with its own prefix creates its glossary and deletes nothing.
    let server = server(&account, 1, 1, 0).await;
    let mut config = config("deepl", &server.uri());
    config.table = options("glossary_name = \"portal-bn\"");
    let chain = Chain::new(vec![backend(&config)]).with_glossary(glossary(GLOSSARY));
    let out = translate(&chain, "en", &["UBND tỉnh họp."]).await;
    assert_eq!(out, ["EN Provincial People's Committee họp."]);
    let state = account.0.lock().unwrap();
    let names: Vec<&str> = state
        .glossaries
        .iter()
        .map(|(g, _)| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names[1].starts_with("portal-bn: vi → en "), "{names:?}");
}
