//! Request handling: authenticate, route, check the api-version, read the body, call the
//! model, and shape the answer (status, headers, JSON) the way ARM does.

use crate::ArmState;
use crate::envelope;
use crate::route::{CollectionScope, Route, RouteError, route};
use crate::versions;
use arcemu_model::kinds::canonical_namespace;
use arcemu_model::world::{ListOf, ListScope, OperationTarget, PageLimit, Subscription};
use arcemu_model::{Applied, ArmError, Change, ResourceId, ResourceKind, Status};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

type Reply = Result<Answer, ArmError>;

/// A successful answer before the common headers are added.
struct Answer {
    status: StatusCode,
    body: Option<Value>,
    /// An already serialized JSON body (cached GETs).
    raw: Option<Bytes>,
    headers: Vec<(HeaderName, String)>,
}

impl Answer {
    fn json(status: StatusCode, body: Value) -> Self {
        Self { status, body: Some(body), raw: None, headers: Vec::new() }
    }
    fn ok(body: Value) -> Self {
        Self::json(StatusCode::OK, body)
    }
    fn empty(status: StatusCode) -> Self {
        Self { status, body: None, raw: None, headers: Vec::new() }
    }
}

/// Everything about the request a handler needs.
struct Request<'a> {
    method: &'a Method,
    path: &'a str,
    api_version: Option<String>,
    skip_token: Option<String>,
    /// The emulator's own base URL (never the request's `Host`).
    base_url: &'a str,
    body: Bytes,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");
const ROUTING_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-routing-request-id");
const CORRELATION_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-correlation-request-id");
const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-client-request-id");
const FAILURE_CAUSE: HeaderName = HeaderName::from_static("x-ms-failure-cause");

pub(crate) async fn dispatch(State(st): State<ArmState>, request: axum::extract::Request) -> Response {
    // Take the parts by value: the HeaderMap extractor would copy every header.
    let (parts, body) = request.into_parts();
    let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
    // A GUID is ASCII hex and dashes: always a valid header value. Its clones share the bytes.
    let request_id = HeaderValue::from_bytes(&st.request_ids.guid_ascii()).ok();
    let correlation =
        headers.get(&CORRELATION_REQUEST_ID).filter(|v| v.to_str().is_ok()).cloned().or_else(|| request_id.clone());
    let client_request_id = headers.get(&CLIENT_REQUEST_ID).cloned();
    let reply = handle(&st, &method, &uri, &headers, body).await;
    let mut resp = match reply {
        Ok(a) => {
            let mut r = match (a.raw, a.body) {
                (Some(raw), _) => {
                    (a.status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], raw)
                        .into_response()
                }
                (None, Some(b)) => (a.status, axum::Json(b)).into_response(),
                (None, None) => a.status.into_response(),
            };
            for (name, value) in a.headers {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    r.headers_mut().insert(name, v);
                }
            }
            r
        }
        Err(e) => {
            let mut r = envelope::response(&e);
            if e.status == 401 {
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(
                        "Bearer authorization_uri=\"https://login.microsoftonline.com/common\", error=\"invalid_token\", \
                         error_description=\"The authentication failed because of missing 'Authorization' header.\"",
                    ),
                );
            }
            r.headers_mut().insert(FAILURE_CAUSE, HeaderValue::from_static("gateway"));
            r
        }
    };
    let h = resp.headers_mut();
    if let Some(v) = request_id {
        h.insert(REQUEST_ID, v.clone());
        h.insert(ROUTING_REQUEST_ID, v);
    }
    if let Some(v) = correlation {
        h.insert(CORRELATION_REQUEST_ID, v);
    }
    if let Some(v) = client_request_id {
        h.insert(CLIENT_REQUEST_ID, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

async fn handle(st: &ArmState, method: &Method, uri: &Uri, headers: &HeaderMap, body: Body) -> Reply {
    authenticate(st, headers)?;
    let rt = route(&percent_decode(uri.path())).map_err(route_error)?;
    let mut api_version = None;
    let mut skip_token = None;
    for (k, v) in uri.query().unwrap_or_default().split('&').filter_map(|kv| kv.split_once('=')) {
        if k.eq_ignore_ascii_case("api-version") {
            api_version = Some(percent_decode(v).into_owned());
        } else if k.eq_ignore_ascii_case("$skipToken") {
            skip_token = Some(percent_decode(v).into_owned());
        }
    }
    let body = read_body(st, method, headers, body).await?;
    let req = Request { method, path: uri.path(), api_version, skip_token, base_url: st.base_url(), body };
    answer(st, rt, &req)
}

fn authenticate(st: &ArmState, headers: &HeaderMap) -> Result<(), ArmError> {
    if !st.config.require_auth {
        return Ok(());
    }
    match headers.get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or_default()) {
        None => Err(ArmError::authentication_failed()),
        Some(v) if bearer_token(v).is_some() => Ok(()),
        Some(_) => Err(ArmError::invalid_authentication_token()),
    }
}

/// The token of an `Authorization: Bearer <token>` value (scheme case-insensitive), if any.
pub(crate) fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

async fn read_body(st: &ArmState, method: &Method, headers: &HeaderMap, body: Body) -> Result<Bytes, ArmError> {
    if !matches!(*method, Method::PUT | Method::PATCH | Method::POST) {
        return Ok(Bytes::new());
    }
    if let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        let media = ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if !media.is_empty() && media != "application/json" && !media.ends_with("+json") && media != "text/json" {
            return Err(ArmError::unsupported_media_type(&media));
        }
    }
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    crate::body::read_limited(body, declared, st.config.max_body_bytes, st.config.body_read_timeout).await
}

impl Request<'_> {
    /// The emulator's own base URL, for the absolute URLs ARM returns (LRO headers, nextLink).
    fn base_url(&self) -> &str {
        self.base_url
    }
}

fn parse_json(body: &Bytes) -> Result<Value, ArmError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ArmError::invalid_request_content("The request content is empty."));
    }
    serde_json::from_slice(body).map_err(ArmError::invalid_request_content)
}

fn route_error(e: RouteError) -> ArmError {
    match e {
        RouteError::NotFound => ArmError::arm_path_not_found(),
        RouteError::UnknownNamespace(ns) => ArmError::invalid_resource_namespace(&ns),
        RouteError::UnknownType { namespace, type_path } => ArmError::invalid_resource_type(
            type_path.split_once('/').map_or(type_path.as_str(), |(_, t)| t),
            &namespace,
        ),
    }
}

fn answer(st: &ArmState, rt: Route, req: &Request) -> Reply {
    let m = req.method;
    match rt {
        Route::Subscriptions => {
            versions::check_arm_route(req.api_version.as_deref())?;
            only(m, &[Method::GET])?;
            let value: Vec<Value> = st.read(|w| w.subscriptions().map(Subscription::to_json).collect());
            Ok(Answer::ok(json!({ "value": value, "count": { "type": "Total", "value": value.len() } })))
        }
        Route::Subscription(s) => {
            versions::check_arm_route(req.api_version.as_deref())?;
            only(m, &[Method::GET])?;
            Ok(Answer::ok(st.read(|w| w.subscription(&s).map(Subscription::to_json))?))
        }
        Route::Providers(s) => {
            versions::check_arm_route(req.api_version.as_deref())?;
            only(m, &[Method::GET])?;
            let value: Vec<Value> = st.read(|w| {
                let sub = w.subscription(&s)?;
                Ok::<_, ArmError>(
                    arcemu_model::kinds::PROVIDER_NAMESPACES
                        .iter()
                        .map(|ns| provider_json(&sub.id, ns, sub.is_registered(ns)))
                        .collect(),
                )
            })?;
            Ok(Answer::ok(json!({ "value": value })))
        }
        Route::Provider { subscription, namespace } => {
            versions::check_arm_route(req.api_version.as_deref())?;
            only(m, &[Method::GET])?;
            let (id, registered) =
                st.read(|w| w.subscription(&subscription).map(|sub| (sub.id.clone(), sub.is_registered(&namespace))))?;
            let ns = canonical_namespace(&namespace)
                .ok_or_else(|| route_error(RouteError::UnknownNamespace(namespace.clone())))?;
            Ok(Answer::ok(provider_json(&id, ns, registered)))
        }
        Route::ProviderAction { subscription, namespace, register } => {
            versions::check_arm_route(req.api_version.as_deref())?;
            only(m, &[Method::POST])?;
            let applied = st.world().apply(Change::SetRegistration {
                subscription: &subscription,
                namespace: &namespace,
                register,
            })?;
            let ns = applied.body.as_ref().and_then(Value::as_str).and_then(canonical_namespace).unwrap_or_default();
            Ok(Answer::ok(provider_json(&subscription, ns, register)))
        }
        Route::Operation { subscription, op, results } => operation(st, req, &subscription, &op, results),
        Route::GroupOperation { subscription, op } => operation(st, req, &subscription, &op, true),
        Route::ResourceGroups(s) => {
            versions::check_arm_route(req.api_version.as_deref())?;
            only(m, &[Method::GET])?;
            let after = req.skip_token.as_deref();
            let limit = page_limit(st);
            let (items, next) = st.read(|w| {
                let groups = w.resource_groups(&s)?;
                let mut items: Vec<Vec<u8>> = Vec::new();
                let (mut bytes, mut last, mut next) = (0usize, None, None);
                for g in groups.into_iter().filter(|g| after.is_none_or(|a| g.id.key() > a)) {
                    let item = serde_json::to_vec(&g.to_json()).map_err(ArmError::internal_server_error)?;
                    if items.len() >= limit.count.max(1) || (!items.is_empty() && bytes + item.len() > limit.bytes) {
                        next = last;
                        break;
                    }
                    bytes += item.len() + 1;
                    items.push(item);
                    last = Some(g.id.key().to_string());
                }
                Ok::<_, ArmError>((items, next))
            })?;
            Ok(raw_list(&items, next, req, false))
        }
        Route::ResourceGroup { subscription, name } => {
            versions::check_arm_route(req.api_version.as_deref())?;
            resource_group(st, req, &subscription, &name)
        }
        Route::GenericList { subscription, resource_group } => {
            versions::check_arm_route(req.api_version.as_deref())?;
            only(m, &[Method::GET])?;
            let scope = match &resource_group {
                Some(rg) => ListScope::ResourceGroup(ResourceId::resource_group_id(&subscription, rg)),
                None => ListScope::Subscription(subscription.clone()),
            };
            let after = req.skip_token.as_deref();
            let page =
                st.read(|w| w.list_page(&scope, ListOf::TopLevel, after, page_limit(st), |v| generic_view(&v)))?;
            Ok(raw_list(&page.items, page.continue_after, req, false))
        }
        Route::Collection { scope, kind } => {
            versions::check_resource(req.api_version.as_deref(), kind, "")?;
            only(m, &[Method::GET])?;
            let scope = match scope {
                CollectionScope::Subscription(s) => ListScope::Subscription(s),
                CollectionScope::ResourceGroup(rg) => ListScope::ResourceGroup(rg),
                CollectionScope::Parent(p) => ListScope::Parent(p),
            };
            let after = req.skip_token.as_deref();
            let page = st.read(|w| w.list_page(&scope, ListOf::Kind(kind), after, page_limit(st), |v| v))?;
            Ok(raw_list(&page.items, page.continue_after, req, kind.last_page_has_null_next_link()))
        }
        Route::PrivateLinkResources { scope, name } => {
            versions::check_resource(req.api_version.as_deref(), ResourceKind::PrivateLinkScope, "")?;
            only(m, &[Method::GET])?;
            let items = st.read(|w| w.private_link_resources(&scope))?;
            match name {
                None => Ok(Answer::ok(json!({ "value": items, "nextLink": null }))),
                Some(n) => items
                    .into_iter()
                    .find(|i| i["name"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(&n)))
                    .map(Answer::ok)
                    .ok_or_else(|| {
                        ArmError::resource_not_found(
                            "Microsoft.HybridCompute/privateLinkScopes/privateLinkResources",
                            &n,
                            scope.resource_group().unwrap_or_default(),
                        )
                    }),
            }
        }
        Route::AllRecordSets { zone } => {
            versions::check_resource(req.api_version.as_deref(), ResourceKind::PrivateDnsZone, "")?;
            only(m, &[Method::GET])?;
            let after = req.skip_token.as_deref();
            let mut limit = page_limit(st);
            let (soa, page) = st.read(|w| {
                // The SOA record set leads the first page.
                let soa = match after {
                    None => Some(
                        serde_json::to_vec(&w.zone_soa_record_set(&zone)?).map_err(ArmError::internal_server_error)?,
                    ),
                    Some(_) => None,
                };
                if let Some(s) = &soa {
                    limit = PageLimit {
                        count: limit.count.saturating_sub(1).max(1),
                        bytes: limit.bytes.saturating_sub(s.len()),
                    };
                }
                let scope = ListScope::Parent(zone.clone());
                let kinds = [ResourceKind::ARecordSet, ResourceKind::CnameRecordSet];
                let page = w.list_page(&scope, ListOf::Kinds(&kinds), after, limit, |v| v)?;
                Ok::<_, ArmError>((soa, page))
            })?;
            let mut items = Vec::with_capacity(page.items.len() + 1);
            items.extend(soa);
            items.extend(page.items);
            Ok(raw_list(&items, page.continue_after, req, ResourceKind::ARecordSet.last_page_has_null_next_link()))
        }
        Route::ScopeValidation { subscription, location, scope_id } => {
            versions::check_resource(req.api_version.as_deref(), ResourceKind::PrivateLinkScope, "")?;
            only(m, &[Method::GET])?;
            Ok(Answer::ok(st.read(|w| w.private_link_scope_validation(&subscription, &location, &scope_id))?))
        }
        Route::ZoneSoa { zone } => {
            versions::check_resource(req.api_version.as_deref(), ResourceKind::PrivateDnsZone, "")?;
            only(m, &[Method::GET, Method::PUT, Method::PATCH])?;
            if *m == Method::GET {
                return Ok(Answer::ok(st.read(|w| w.zone_soa_record_set(&zone))?));
            }
            let body = parse_json(&req.body)?;
            let merge = *m == Method::PATCH;
            applied(st.world().apply(Change::WriteZoneSoa { zone: &zone, body: &body, merge })?, req, None)
        }
        Route::DefaultSecurityRules { nsg, name } => {
            versions::check_resource(req.api_version.as_deref(), ResourceKind::NetworkSecurityGroup, "")?;
            only(m, &[Method::GET])?;
            let rules = st.read(|w| w.default_security_rules(&nsg))?;
            match name {
                None => Ok(Answer::ok(json!({ "value": rules }))),
                Some(n) => rules
                    .into_iter()
                    .find(|r| r["name"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(&n)))
                    .map(Answer::ok)
                    .ok_or_else(|| {
                        ArmError::resource_not_found(
                            "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
                            &n,
                            nsg.resource_group().unwrap_or_default(),
                        )
                    }),
            }
        }
        Route::Resource { id, kind } => resource(st, req, &id, kind),
    }
}

fn only(m: &Method, allowed: &[Method]) -> Result<(), ArmError> {
    if allowed.contains(m) { Ok(()) } else { Err(ArmError::method_not_allowed(m.as_str())) }
}

fn resource_group(st: &ArmState, req: &Request, subscription: &str, name: &str) -> Reply {
    match *req.method {
        Method::GET => Ok(Answer::ok(st.read(|w| w.resource_group(subscription, name).map(|g| g.to_json()))?)),
        Method::HEAD => {
            let exists = st.read(|w| w.resource_group(subscription, name).is_ok());
            Ok(Answer::empty(if exists { StatusCode::NO_CONTENT } else { StatusCode::NOT_FOUND }))
        }
        Method::PUT => {
            let body = parse_json(&req.body)?;
            applied(st.world().apply(Change::PutResourceGroup { subscription, name, body: &body })?, req, None)
        }
        Method::PATCH => {
            let body = parse_json(&req.body)?;
            applied(st.world().apply(Change::PatchResourceGroup { subscription, name, body: &body })?, req, None)
        }
        Method::DELETE => applied(st.world().apply(Change::DeleteResourceGroup { subscription, name })?, req, None),
        ref m => Err(ArmError::method_not_allowed(m.as_str())),
    }
}

fn resource(st: &ArmState, req: &Request, id: &ResourceId, kind: ResourceKind) -> Reply {
    let v = versions::check_resource(req.api_version.as_deref(), kind, "").map_err(|e| with_location(e, st, id))?;
    match *req.method {
        Method::GET => Ok(Answer { raw: Some(st.cached_render(id)?), ..Answer::empty(StatusCode::OK) }),
        Method::HEAD => {
            let exists = st.read(|w| w.resource(id).is_ok());
            Ok(Answer::empty(if exists { StatusCode::NO_CONTENT } else { StatusCode::NOT_FOUND }))
        }
        Method::PUT => {
            let body = parse_json(&req.body)?;
            applied(st.world().apply(Change::PutResource { id, body: &body })?, req, Some(v))
        }
        Method::PATCH => {
            let body = parse_json(&req.body)?;
            applied(st.world().apply(Change::PatchResource { id, body: &body })?, req, Some(v))
        }
        Method::DELETE => applied(st.world().apply(Change::DeleteResource { id })?, req, Some(v)),
        ref m => Err(ArmError::method_not_allowed(m.as_str())),
    }
}

/// The answer to an applied change: status, body, and for a long-running operation its
/// `Azure-AsyncOperation`, `Location` and `Retry-After` headers. `api_version` is the
/// resource type's (a resource group's delete has only `Location`, with the request's).
fn applied(a: Applied, req: &Request, api_version: Option<&str>) -> Reply {
    let status = match a.status {
        Status::Ok => StatusCode::OK,
        Status::Created => StatusCode::CREATED,
        Status::Accepted => StatusCode::ACCEPTED,
        Status::NoContent => StatusCode::NO_CONTENT,
    };
    let mut answer = Answer { status, body: a.body, raw: None, headers: Vec::new() };
    if let Some(op) = a.operation {
        match api_version {
            Some(v) => {
                let base = format!(
                    "{}/subscriptions/{}/providers/{}/locations/{}",
                    req.base_url(),
                    op.subscription,
                    op.namespace,
                    op.location
                );
                answer.headers.push((
                    HeaderName::from_static("azure-asyncoperation"),
                    format!("{base}/operationStatuses/{}?api-version={v}", op.id),
                ));
                answer.headers.push((header::LOCATION, format!("{base}/operationResults/{}?api-version={v}", op.id)));
            }
            None => {
                let v = req.api_version.as_deref().unwrap_or_default();
                answer.headers.push((
                    header::LOCATION,
                    format!(
                        "{}/subscriptions/{}/operationresults/{}?api-version={v}",
                        req.base_url(),
                        op.subscription,
                        op.id
                    ),
                ));
            }
        }
        answer.headers.push((header::RETRY_AFTER, op.retry_after_secs.to_string()));
    }
    Ok(answer)
}

/// Names the resource's location in `NoRegisteredProviderFound`, as ARM does.
fn with_location(mut e: ArmError, st: &ArmState, id: &ResourceId) -> ArmError {
    if e.code == "NoRegisteredProviderFound" {
        let loc = st.read(|w| w.resource(id).ok().and_then(|r| r.location)).unwrap_or_default();
        e.message = e.message.replacen("location ''", &format!("location '{loc}'"), 1);
    }
    e
}

fn operation(st: &ArmState, req: &Request, subscription: &str, op_id: &str, results: bool) -> Reply {
    only(req.method, &[Method::GET])?;
    if req.api_version.is_none() {
        versions::check_arm_route(None)?;
    }
    st.read(|w| {
        w.subscription(subscription)?;
        let op = w
            .operation(op_id)
            .filter(|o| o.subscription.eq_ignore_ascii_case(subscription))
            .ok_or_else(|| ArmError::operation_not_found(op_id, w.config().operation_retention.whole_seconds()))?;
        if !results {
            return Ok(Answer::ok(op.to_json(req.path)));
        }
        if op.status != arcemu_model::world::OperationStatus::Succeeded {
            let mut a = Answer::empty(StatusCode::ACCEPTED);
            a.headers.push((
                header::LOCATION,
                format!(
                    "{}{}?api-version={}",
                    req.base_url(),
                    req.path,
                    req.api_version.as_deref().unwrap_or_default()
                ),
            ));
            a.headers.push((header::RETRY_AFTER, retry_after(w.config().lro_delay)));
            return Ok(a);
        }
        match &op.target {
            OperationTarget::Put(id) => Ok(Answer::ok(w.render(id)?)),
            OperationTarget::Delete(_) => Ok(Answer::empty(StatusCode::NO_CONTENT)),
            OperationTarget::DeleteGroup(_) => Ok(Answer::empty(StatusCode::OK)),
        }
    })
}

/// Seconds to wait before polling: the configured operation delay, rounded up.
fn retry_after(d: time::Duration) -> String {
    let secs = d.whole_seconds() + i64::from(d.subsec_nanoseconds() > 0);
    secs.max(0).to_string()
}

/// A list page's limits: the configured count and byte budget.
fn page_limit(st: &ArmState) -> PageLimit {
    PageLimit { count: st.config.page_size, bytes: st.config.page_max_bytes }
}

/// `{"value": [items...], "nextLink": ...}` from already serialized items; on the last page
/// `"nextLink": null` when `null_when_last` (the type's answer, [`ResourceKind::last_page_has_null_next_link`]).
fn raw_list(items: &[Vec<u8>], next: Option<String>, req: &Request, null_when_last: bool) -> Answer {
    let mut out = Vec::with_capacity(items.iter().map(|i| i.len() + 1).sum::<usize>() + 512);
    out.extend_from_slice(b"{\"value\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
    out.push(b']');
    if let Some(after) = next {
        let v = req.api_version.as_deref().unwrap_or_default();
        let link = format!("{}{}?api-version={v}&$skipToken={}", req.base_url(), req.path, percent_encode(&after));
        out.extend_from_slice(b",\"nextLink\":");
        out.extend_from_slice(&serde_json::to_vec(&link).unwrap_or_else(|_| b"null".to_vec()));
    } else if null_when_last {
        out.extend_from_slice(b",\"nextLink\":null");
    }
    out.push(b'}');
    Answer { raw: Some(Bytes::from(out)), ..Answer::empty(StatusCode::OK) }
}

/// The generic-resources view (`/resources` lists).
fn generic_view(item: &Value) -> Value {
    let mut v = json!({ "id": item["id"], "name": item["name"], "type": item["type"] });
    for k in ["location", "tags", "kind", "identity"] {
        if let Some(x) = item.get(k) {
            v[k] = x.clone();
        }
    }
    v
}

fn provider_json(subscription: &str, ns: &str, registered: bool) -> Value {
    let types: Vec<Value> = ResourceKind::ALL
        .iter()
        .copied()
        .filter(|k| k.namespace() == ns)
        .map(|k| {
            let locations: Vec<&str> = if k.tracked() {
                arcemu_model::region::REGIONS.iter().map(|r| r.display_name).collect()
            } else {
                Vec::new()
            };
            let api_versions: Vec<&str> = versions::supported(k).iter().rev().copied().collect();
            json!({
                "resourceType": k.arm_type().split_once('/').map_or("", |(_, t)| t),
                "locations": locations,
                "apiVersions": api_versions,
            })
        })
        .collect();
    let state = if registered { "Registered" } else { "NotRegistered" };
    json!({
        "id": format!("/subscriptions/{subscription}/providers/{ns}"),
        "namespace": ns,
        "registrationState": state,
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": types,
    })
}

fn percent_decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(percent_decode_owned(s))
}

fn percent_decode_owned(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
