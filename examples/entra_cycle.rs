//! Plays a Microsoft Entra ID provisioning cycle against a running SCIM server and prints every
//! request and response, so you can see what your endpoint will receive.
//!
//! ```sh
//! cargo run --release --example server -- --token s3cret &
//! cargo run --example entra_cycle -- http://127.0.0.1:8080/scim/v2 s3cret
//! ```
//!
//! The cycle: Test Connection (a filter on a random GUID), a user matched by `userName` and
//! created, attribute sync through PATCH in Entra's own forms (capitalised ops, `"False"`,
//! filtered paths, path-less replace with path keys, the manager), a group created with
//! Microsoft's extra schema URI and members added and removed, deactivation, and deletion.

use std::process::ExitCode;

use http::Method;
use scimkit_examples::ScimClient;
use serde_json::{Value, json};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn patch(operations: Value) -> Value {
    json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations })
}

/// Sends one request, prints it and its answer, and returns the answer's body.
async fn step(
    client: &mut ScimClient,
    title: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    println!("\n### {title}\n{method} {path}");
    if let Some(body) = &body {
        println!("{}", serde_json::to_string_pretty(body).unwrap_or_default());
    }
    let reply = client.send(method, path, body.as_ref(), &[]).await.map_err(|e| e.to_string())?;
    println!("--> {}", reply.status);
    if !reply.body.is_null() {
        println!("{}", serde_json::to_string_pretty(&reply.body).unwrap_or_default());
    }
    if reply.status.is_server_error() {
        return Err(format!("{title}: the server answered {}", reply.status));
    }
    Ok(reply.body)
}

async fn cycle(url: &str, token: &str) -> Result<(), String> {
    let mut c =
        ScimClient::connect(url, token).await.map_err(|e| format!("cannot connect: {e}"))?;
    let c = &mut c;
    let guid = uuid::Uuid::new_v4();
    step(
        c,
        "Test Connection",
        Method::GET,
        &format!("/Users?filter=userName+eq+%22{guid}%22"),
        None,
    )
    .await?;
    step(
        c,
        "Test Connection (groups)",
        Method::GET,
        &format!("/Groups?excludedAttributes=members&filter=displayName+eq+%22{guid}%22"),
        None,
    )
    .await?;

    let upn = format!("ann.lee.{}@contoso.example", &guid.simple().to_string()[..8]);
    let encoded = upn.replace('@', "%40");
    step(
        c,
        "Match the user",
        Method::GET,
        &format!("/Users?filter=userName+eq+%22{encoded}%22"),
        None,
    )
    .await?;
    let user = step(
        c,
        "Create the user",
        Method::POST,
        "/Users",
        Some(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "externalId": "ann.lee",
            "userName": upn,
            "active": true,
            "displayName": "Ann Lee",
            "emails": [{ "primary": true, "type": "work", "value": upn }],
            "meta": { "resourceType": "User" },
            "name": { "formatted": "Ann Lee", "familyName": "Lee", "givenName": "Ann" },
            "roles": [],
            ENTERPRISE: { "department": "Engineering" }
        })),
    )
    .await?;
    let id = user["id"].as_str().ok_or("the created user has no id")?.to_owned();
    let path = format!("/Users/{id}");

    step(
        c,
        "Sync attributes",
        Method::PATCH,
        &path,
        Some(patch(json!([
            { "op": "Replace", "path": "emails[type eq \"work\"].value", "value": upn.replace("ann.lee", "ann") },
            { "op": "Replace", "path": "name.familyName", "value": "Lee-Smith" },
            { "op": "Replace", "path": format!("{ENTERPRISE}:department"), "value": "Sales" },
            { "op": "Add", "path": "addresses[type eq \"work\"].streetAddress", "value": "1 Main St" },
            { "op": "Add", "path": "addresses[type eq \"work\"].locality", "value": "Redmond" }
        ]))),
    )
    .await?;
    step(
        c,
        "Path-less replace with path keys",
        Method::PATCH,
        &path,
        Some(patch(json!([{ "op": "Replace", "value": {
            "name.givenName": "Annie",
            format!("{ENTERPRISE}:department"): "Marketing"
        }}]))),
    )
    .await?;
    step(
        c,
        "Set the manager (a bare id)",
        Method::PATCH,
        &path,
        Some(patch(json!([{ "op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": id }]))),
    )
    .await?;

    let group = step(
        c,
        "Create a group",
        Method::POST,
        "/Groups",
        Some(json!({
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:Group",
                "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
            ],
            "displayName": format!("Sales {}", &guid.simple().to_string()[..8]),
            "externalId": guid.to_string(),
            "members": []
        })),
    )
    .await?;
    let group_path =
        format!("/Groups/{}", group["id"].as_str().ok_or("the created group has no id")?);
    step(
        c,
        "Add a member",
        Method::PATCH,
        &group_path,
        Some(patch(
            json!([{ "op": "Add", "path": "members", "value": [{ "value": id, "$ref": null }] }]),
        )),
    )
    .await?;
    step(c, "The user's groups", Method::GET, &format!("{path}?attributes=groups"), None).await?;
    step(
        c,
        "Remove the member",
        Method::PATCH,
        &group_path,
        Some(patch(json!([{ "op": "Remove", "path": "members", "value": [{ "value": id }] }]))),
    )
    .await?;

    step(
        c,
        "Soft deprovisioning",
        Method::PATCH,
        &path,
        Some(patch(json!([{ "op": "Replace", "path": "active", "value": "False" }]))),
    )
    .await?;
    step(c, "Hard deprovisioning", Method::DELETE, &path, None).await?;
    step(c, "Delete the group", Method::DELETE, &group_path, None).await?;
    step(c, "The user is gone", Method::GET, &path, None).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, token] = args.as_slice() else {
        eprintln!("usage: cargo run --example entra_cycle -- BASE_URL TOKEN");
        return ExitCode::from(2);
    };
    match cycle(url, token).await {
        Ok(()) => {
            println!("\nThe cycle completed.");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
