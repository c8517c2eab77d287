//! Acting on provisioning: a small application with sessions of its own that follows the SCIM
//! event feed and revokes a user's sessions the moment an identity provider deactivates or
//! deletes the user.
//!
//! ```sh
//! cargo run --example provisioning_app
//! ```
//!
//! It serves SCIM on the in-memory store (as the `server` example does), plays the requests
//! Microsoft Entra ID sends over a user's life through the service, lets the user sign in on two
//! devices, and prints what the application does as each event arrives. The consumer keeps its
//! checkpoint in the store, so on PostgreSQL a restarted application resumes after the last
//! event it handled; handling is idempotent (an event may come twice across a crash, with the
//! same id).

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use scimkit_core::event::{Event, EventConsumer, EventKind};
use scimkit_core::http::{BearerTokens, Principal, ScimService};
use scimkit_core::{DynResourceStore, ResourceManager};
use scimkit_store_memory::InMemoryStore;
use serde_json::{Value, json};

/// The application's own data: sessions by user, and the seats in use.
#[derive(Debug, Default)]
struct App {
    sessions: BTreeMap<String, Vec<String>>,
    seats: HashSet<String>,
    handled: HashSet<String>,
}

impl App {
    fn sign_in(&mut self, user: &str, device: &str) {
        self.sessions.entry(user.to_owned()).or_default().push(format!("{device}-session"));
    }

    /// What the application does with one provisioning event.
    fn handle(&mut self, event: &Event) -> Vec<String> {
        if !self.handled.insert(event.id.clone()) || event.resource_type != "User" {
            return Vec::new(); // a repeat after a crash, or not about a user
        }
        let user = &event.resource_id;
        let who = event.principal.as_deref().unwrap_or("someone");
        let mut done = Vec::new();
        if event.is(EventKind::Create) || event.is(EventKind::Activate) {
            self.seats.insert(user.clone());
            done.push(format!(
                "{who} provisioned {user}: seat taken ({} in use)",
                self.seats.len()
            ));
        }
        if event.is(EventKind::Deactivate) || event.is(EventKind::Delete) {
            let revoked = self.sessions.remove(user).unwrap_or_default();
            self.seats.remove(user);
            let how = if event.is(EventKind::Delete) { "deleted" } else { "deactivated" };
            done.push(format!(
                "{who} {how} {user}: revoked {} session(s) {:?}, seat freed ({} in use)",
                revoked.len(),
                revoked,
                self.seats.len()
            ));
        }
        if done.is_empty() && !event.attributes.is_empty() {
            done.push(format!("{who} changed {} of {user}", event.attributes.join(", ")));
        }
        done
    }
}

async fn send(service: &ScimService, method: &str, path: &str, body: Option<Value>) -> Value {
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("/scim/v2{path}"))
        .header("Authorization", "Bearer entra-secret");
    if body.is_some() {
        request = request.header("Content-Type", "application/scim+json");
    }
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let request = match request.body(bytes) {
        Ok(request) => request,
        Err(error) => return json!({ "error": error.to_string() }),
    };
    let response = service.handle(request).await;
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}

fn patch(op: &str, path: &str, value: Value) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": op, "path": path, "value": value }]
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store: Arc<DynResourceStore> = Arc::new(InMemoryStore::new());
    let manager = ResourceManager::builder(store.clone()).build()?;
    let tokens = BearerTokens::new().with_token("entra-secret", Principal::new("acme", "Entra ID"));
    let service = ScimService::builder(manager, tokens).base_path("/scim/v2").build();
    let app = Arc::new(Mutex::new(App::default()));

    // The application's reaction: a named consumer of the tenant's feed.
    let follower = {
        let app = app.clone();
        let consumer = EventConsumer::open(store.clone(), "acme", "sessions").await?;
        tokio::spawn(consumer.run(move |event| {
            let lines = app.lock().unwrap_or_else(PoisonError::into_inner).handle(&event);
            for line in lines {
                println!("app: {line}");
            }
            std::future::ready(Ok::<(), std::convert::Infallible>(()))
        }))
    };

    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "ann@acme.example", "externalId": "0a21f0f2", "active": true,
        "name": { "givenName": "Ann", "familyName": "Example" }
    });
    let ann = send(&service, "POST", "/Users", Some(user)).await;
    let id = ann["id"].as_str().unwrap_or_default().to_owned();
    println!("entra: created {id}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    {
        let mut app = app.lock().unwrap_or_else(PoisonError::into_inner);
        app.sign_in(&id, "laptop");
        app.sign_in(&id, "phone");
        println!("app: ann signed in on a laptop and a phone");
    }
    let user_path = format!("/Users/{id}");
    // What Entra sends on a change of title, a deactivation (with a string boolean) and a
    // reactivation, each followed by a moment for the application to react.
    for (attribute, value, what) in [
        ("title", json!("CTO"), "changed the title"),
        ("active", json!("False"), "deactivated"),
        ("active", json!("True"), "reactivated"),
    ] {
        send(&service, "PATCH", &user_path, Some(patch("Replace", attribute, value))).await;
        println!("entra: {what} {id}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.lock().unwrap_or_else(PoisonError::into_inner).sign_in(&id, "tablet");
    println!("app: ann signed in on a tablet");
    send(&service, "DELETE", &user_path, None).await;
    println!("entra: deleted {id}");
    tokio::time::sleep(Duration::from_millis(200)).await;

    follower.abort();
    let app = app.lock().unwrap_or_else(PoisonError::into_inner);
    println!("sessions left: {}, seats in use: {}", app.sessions.len(), app.seats.len());
    Ok(())
}
