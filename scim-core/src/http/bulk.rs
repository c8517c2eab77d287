//! `POST /Bulk` (RFC 7644 §3.7): ordered operations with `bulkId` cross-references.
//!
//! Operations run in the order given, except that an operation referring to the `bulkId` of a
//! later POST waits until that POST has run. References that can never be resolved (to a
//! `bulkId` no POST declares, to a failed POST, or in a cycle) fail that operation with 409.
//! `failOnErrors` stops the run after that many errors; operations not run are not reported.
//!
//! Each operation's references are found once, and each completed POST releases only the
//! operations waiting for its `bulkId`, so a request costs its size (times the logarithm of
//! its operation count), however its references chain.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Response, StatusCode};
use serde_json::Value;

use super::operation::{Operation, OperationKind};
use super::route::{Route, Target, route};
use super::service::{Call, json_response};
use crate::error::{Error, Result};
use crate::message::{
    BulkMethod, BulkOperation, BulkOperationResponse, BulkRequest, BulkResponse, PatchRequest,
};
use crate::store::Version;

/// The prefix of a reference to another operation's resource.
const BULK_ID_PREFIX: &str = "bulkId:";

/// Runs a bulk request.
pub(crate) async fn handle(call: &Call<'_>, body: &[u8]) -> Result<Response<Vec<u8>>> {
    let value = super::json::parse_body(body)?;
    let request: BulkRequest = serde_json::from_value(value)?;
    let limit = call.service.manager().config().limits.max_bulk_operations;
    if request.operations.len() > limit {
        return Err(Error::PayloadTooLarge {
            detail: format!("a bulk request may carry at most {limit} operations"),
        });
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(repeated) = request
        .operations
        .iter()
        .filter_map(|op| op.bulk_id.as_deref())
        .find(|id| !seen.insert(*id))
    {
        let shown: String = repeated.chars().take(64).collect();
        return Err(Error::invalid_value(format!(
            "the bulkId {shown:?} is used by more than one operation"
        )));
    }
    let declared: HashMap<&str, usize> = request
        .operations
        .iter()
        .enumerate()
        .filter(|(_, op)| op.method == BulkMethod::Post)
        .filter_map(|(n, op)| op.bulk_id.as_deref().map(|id| (id, n)))
        .collect();
    let fail_on_errors = request.fail_on_errors.map_or(usize::MAX, |n| n.max(1) as usize);
    let operations = &request.operations;
    let count = operations.len();
    // Each operation's references, found once: how many POSTs it still waits for, which
    // reference can never resolve (if one cannot), and who waits for each bulkId.
    let mut waiting_for = vec![0usize; count];
    let mut unresolvable: Vec<Option<String>> = vec![None; count];
    let mut dependents: HashMap<String, Vec<usize>> = HashMap::new();
    // The operations that can run, lowest index first: the request's order, except where an
    // operation waits for a later POST.
    let mut ready = BinaryHeap::new();
    for (n, op) in operations.iter().enumerate() {
        let mut distinct = HashSet::new();
        for reference in references(op) {
            if !distinct.insert(reference.clone()) {
                continue;
            }
            if !declared.contains_key(reference.as_str())
                || Some(reference.as_str()) == op.bulk_id.as_deref()
            {
                unresolvable[n].get_or_insert(reference);
            } else {
                waiting_for[n] += 1;
                dependents.entry(reference).or_default().push(n);
            }
        }
        if waiting_for[n] == 0 || unresolvable[n].is_some() {
            ready.push(Reverse(n));
        }
    }
    let mut queued: Vec<bool> =
        (0..count).map(|n| waiting_for[n] == 0 || unresolvable[n].is_some()).collect();
    let mut ran = vec![false; count];
    let mut created: HashMap<String, String> = HashMap::new();
    let mut results: Vec<(usize, BulkOperationResponse)> = Vec::new();
    let mut errors = 0;

    while let Some(Reverse(n)) = ready.pop() {
        // A long request lets the other requests on its thread run between its operations.
        YieldNow::default().await;
        ran[n] = true;
        let op = &operations[n];
        let outcome = match &unresolvable[n] {
            Some(reference) => Err(Error::Conflict {
                detail: format!("the bulkId reference {reference} cannot be resolved"),
            }),
            None => run(call, op, &created).await,
        };
        let (response, succeeded) = match outcome {
            Ok((response, new_id)) => {
                if let (Some(bulk_id), Some(id)) = (&op.bulk_id, new_id) {
                    created.insert(bulk_id.clone(), id);
                }
                (response, true)
            }
            Err(error) => {
                errors += 1;
                (error_result(op, &error), false)
            }
        };
        results.push((n, response));
        if errors >= fail_on_errors {
            break;
        }
        // The POST that declares a bulkId releases the operations waiting for it: to run, or
        // to fail if it failed.
        let declares = op.bulk_id.as_deref().filter(|id| declared.get(id) == Some(&n));
        for waiting in declares.and_then(|id| dependents.remove(id)).unwrap_or_default() {
            if succeeded {
                waiting_for[waiting] -= 1;
            } else if let Some(bulk_id) = &op.bulk_id {
                unresolvable[waiting].get_or_insert_with(|| bulk_id.clone());
            }
            if !queued[waiting] && (waiting_for[waiting] == 0 || unresolvable[waiting].is_some()) {
                queued[waiting] = true;
                ready.push(Reverse(waiting));
            }
        }
    }
    if errors < fail_on_errors {
        // What never became ready waits, directly or not, for itself.
        for n in (0..count).filter(|&n| !ran[n]) {
            let error = Error::Conflict { detail: "circular bulkId references".to_owned() };
            results.push((n, error_result(&operations[n], &error)));
            errors += 1;
            if errors >= fail_on_errors {
                break;
            }
        }
    }
    results.sort_by_key(|(n, _)| *n);
    let response = BulkResponse::new(results.into_iter().map(|(_, r)| r).collect());
    Ok(json_response(StatusCode::OK, &response))
}

/// Runs one operation; returns its result and, for a POST, the new resource's id.
async fn run(
    call: &Call<'_>,
    op: &BulkOperation,
    created: &HashMap<String, String>,
) -> Result<(BulkOperationResponse, Option<String>)> {
    let path = resolve_str(&op.path, created);
    let data = op.data.clone().map(|d| resolve_value(d, created));
    let manager = call.service.manager();
    let origin = call.origin();
    let path_only = path.split('?').next().unwrap_or_default();
    let Route::Resources { resource_type, target } = route(manager.registry(), path_only)? else {
        return Err(Error::invalid_value(format!("a bulk operation cannot target {path}")));
    };
    // An operation's `version` is an entity tag (RFC 7644 §3.7, §3.14); `*` asks for none.
    let if_match = match op.version.as_deref().map(str::trim) {
        None | Some("*") => None,
        Some(tag) => Some(Version::from_etag(tag).ok_or_else(|| {
            Error::invalid_value("an operation's version must be an entity tag such as W/\"3\"")
        })?),
    };
    let data = || data.clone().ok_or_else(|| Error::invalid_syntax("the operation needs data"));
    let (kind, id) = match (&op.method, &target) {
        (BulkMethod::Post, Target::Collection) => (OperationKind::Create, None),
        (BulkMethod::Put, Target::One(id)) => (OperationKind::Replace, Some(id.as_str())),
        (BulkMethod::Patch, Target::One(id)) => (OperationKind::Patch, Some(id.as_str())),
        (BulkMethod::Delete, Target::One(id)) => (OperationKind::Delete, Some(id.as_str())),
        _ => {
            return Err(Error::MethodNotAllowed {
                allow: if matches!(target, Target::Collection) {
                    "POST"
                } else {
                    "PUT, PATCH, DELETE"
                }
                .to_owned(),
            });
        }
    };
    call.service.authorize(call, Operation::new(kind, Some(&resource_type), id))?;
    let stored =
        match (kind, id) {
            (OperationKind::Create, _) => manager.create(origin, &resource_type, data()?).await?,
            (OperationKind::Replace, Some(id)) => {
                manager.replace(origin, &resource_type, id, data()?, if_match.as_ref()).await?
            }
            (OperationKind::Patch, Some(id)) => {
                let request: PatchRequest = serde_json::from_value(data()?)?;
                manager.patch(origin, &resource_type, id, &request, if_match.as_ref()).await?
            }
            (_, Some(id)) => {
                manager.delete(origin, &resource_type, id, if_match.as_ref()).await?;
                let mut response = BulkOperationResponse::new(op.method, 204)
                    .with_location(location(call, &resource_type, id));
                if let Some(bulk_id) = &op.bulk_id {
                    response = response.with_bulk_id(bulk_id.clone());
                }
                return Ok((response, None));
            }
            (_, None) => return Err(Error::invalid_value("the operation needs a resource id")),
        };
    let status = if kind == OperationKind::Create { 201 } else { 200 };
    let mut response = BulkOperationResponse::new(op.method, status)
        .with_location(location(call, &resource_type, stored.id()))
        .with_version(stored.version.to_etag());
    if let Some(bulk_id) = &op.bulk_id {
        response = response.with_bulk_id(bulk_id.clone());
    }
    let new_id = (kind == OperationKind::Create).then(|| stored.id().to_owned());
    Ok((response, new_id))
}

fn location(call: &Call<'_>, resource_type: &str, id: &str) -> String {
    let endpoint = call
        .service
        .manager()
        .registry()
        .resource_type(resource_type)
        .map_or(resource_type, |rt| rt.endpoint.trim_start_matches('/'));
    format!("{}/{endpoint}/{id}", call.base)
}

/// The result entry of a failed operation.
fn error_result(op: &BulkOperation, error: &Error) -> BulkOperationResponse {
    let body = serde_json::to_value(error.to_response()).unwrap_or(Value::Null);
    let mut response = BulkOperationResponse::new(op.method, error.status()).with_response(body);
    if let Some(bulk_id) = &op.bulk_id {
        response = response.with_bulk_id(bulk_id.clone());
    }
    response
}

/// A future that is pending once, waking itself at once: whatever runs it lets its other
/// tasks run first.
#[derive(Debug, Default)]
struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The bulkIds an operation refers to, in its path and data.
fn references(op: &BulkOperation) -> Vec<String> {
    let mut refs = Vec::new();
    collect_str(&op.path, &mut refs);
    if let Some(data) = &op.data {
        collect_value(data, &mut refs);
    }
    refs
}

fn collect_str(s: &str, refs: &mut Vec<String>) {
    for segment in s.split('/') {
        if let Some(id) = segment.strip_prefix(BULK_ID_PREFIX) {
            refs.push(id.to_owned());
        }
    }
}

fn collect_value(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            if let Some(id) = s.strip_prefix(BULK_ID_PREFIX) {
                refs.push(id.to_owned());
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_value(v, refs)),
        Value::Object(map) => map.values().for_each(|v| collect_value(v, refs)),
        _ => {}
    }
}

/// `s` with `bulkId:x` path segments replaced by the ids created for them.
fn resolve_str(s: &str, created: &HashMap<String, String>) -> String {
    s.split('/')
        .map(|segment| match segment.strip_prefix(BULK_ID_PREFIX).and_then(|id| created.get(id)) {
            Some(id) => id.as_str(),
            None => segment,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `value` with every `"bulkId:x"` string replaced by the id created for `x`.
fn resolve_value(value: Value, created: &HashMap<String, String>) -> Value {
    match value {
        Value::String(s) => match s.strip_prefix(BULK_ID_PREFIX).and_then(|id| created.get(id)) {
            Some(id) => Value::String(id.clone()),
            None => Value::String(s),
        },
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| resolve_value(v, created)).collect())
        }
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, resolve_value(v, created))).collect())
        }
        other => other,
    }
}
