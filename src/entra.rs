//! The cloud's other faces a real client asks before ARM: ARM's cloud metadata document
//! (`GET /metadata/endpoints`, what `az cloud register --endpoint-resource-manager` reads), a
//! minimal Entra ID (OpenID discovery, MSAL's instance discovery, the client-credentials token
//! endpoint) and ARM's `GET /tenants`. A face only: no rule, no change to the world.
//!
//! The emulator is its own login endpoint: the authority is `{base URL}/{tenant}`. Any client id
//! and any non-empty secret get a token (the emulator checks no identity; the ARM face only asks
//! for a bearer token). Tokens are JWT-shaped (header, claims, a signature nobody checks) for the
//! resource-manager audience, so clients that read their claims (`az`, MSAL) find what they expect.

use arcemu_fake_arm::{ArmState, envelope};
use arcemu_model::ArmError;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Value, json};

/// The audience of ARM tokens, as the public cloud's metadata names it first.
pub const ARM_AUDIENCE: &str = "https://management.core.windows.net/";
/// How long an issued token is valid, in seconds.
const TOKEN_LIFETIME_SECS: u64 = 3600;

/// The routes (served at the root of each listener, beside the ARM face).
pub fn router(arm: ArmState) -> Router {
    Router::new()
        .route("/metadata/endpoints", get(metadata_endpoints))
        // `az cloud register --endpoint-resource-manager https://host/` asks for `//metadata/..`.
        .route("//metadata/endpoints", get(metadata_endpoints))
        .route("/tenants", get(tenants))
        .route("/common/discovery/instance", get(instance_discovery))
        .route("/{tenant}/discovery/instance", get(instance_discovery))
        .route("/{tenant}/v2.0/.well-known/openid-configuration", get(openid_configuration))
        .route("/{tenant}/.well-known/openid-configuration", get(openid_configuration))
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route("/{tenant}/oauth2/token", post(token))
        .with_state(arm)
}

fn base(arm: &ArmState) -> String {
    arm.base_url().trim_end_matches('/').to_string()
}

fn tenant_id(arm: &ArmState) -> String {
    arm.world().config().tenant_id.clone()
}

fn api_version(query: Option<&str>) -> Option<String> {
    form_pairs(query.unwrap_or_default())
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("api-version"))
        .map(|(_, v)| v)
}

/// The cloud as ARM's metadata endpoint describes one (the shape of
/// `https://management.azure.com/metadata/endpoints?api-version=2022-09-01`, read by azure-cli's
/// `cloud._arm_to_cli_mapper`): the emulator is resource manager and login endpoint; the suffixes
/// are the public cloud's (the names the agents resolve are the public ones).
pub fn cloud_metadata(base_url: &str) -> Value {
    let base = base_url.trim_end_matches('/');
    json!({
        "name": "arcemu",
        "portal": base,
        "resourceManager": format!("{base}/"),
        "authentication": {
            "loginEndpoint": format!("{base}/"),
            "audiences": [ARM_AUDIENCE, format!("{base}/")],
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "graph": "https://graph.windows.net/",
        "graphAudience": "https://graph.windows.net/",
        "microsoftGraphResourceId": "https://graph.microsoft.com/",
        "media": "https://rest.media.azure.net",
        "batch": "https://batch.core.windows.net/",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "gallery": "https://gallery.azure.com/",
        "suffixes": {
            "storage": "core.windows.net",
            "keyVaultDns": "vault.azure.net",
            "mhsmDns": "managedhsm.azure.net",
            "acrLoginServer": "azurecr.io",
            "sqlServerHostname": "database.windows.net",
            "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "mysqlServerEndpoint": "mysql.database.azure.com",
            "postgresqlServerEndpoint": "postgres.database.azure.com",
            "mariadbServerEndpoint": "mariadb.database.azure.com",
            "synapseAnalytics": "dev.azuresynapse.net",
            "attestationEndpoint": "attest.azure.net",
            "storageSyncEndpointSuffix": "afs.azure.net"
        }
    })
}

/// `GET /metadata/endpoints?api-version=2022-09-01`: this cloud's document; `2019-05-01` (and
/// older) answer the list of clouds, as ARM does.
async fn metadata_endpoints(State(arm): State<ArmState>, RawQuery(query): RawQuery) -> Response {
    let doc = cloud_metadata(&base(&arm));
    match api_version(query.as_deref()).as_deref() {
        None => envelope::response(&ArmError::missing_api_version_parameter()),
        Some("2022-09-01") => axum::Json(doc).into_response(),
        Some("2019-05-01" | "2018-01-01" | "2015-01-01") => axum::Json(json!([doc])).into_response(),
        Some(other) => envelope::response(&ArmError::invalid_api_version_parameter(
            other,
            "2022-09-01, 2019-05-01, 2018-01-01, 2015-01-01",
        )),
    }
}

/// `GET /tenants`: the world's tenant, as ARM lists it (`az login`, `az account list`).
async fn tenants(State(arm): State<ArmState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    if arm.config().require_auth && !headers.contains_key(header::AUTHORIZATION) {
        return crate::answers::refusal(&ArmError::authentication_failed());
    }
    if api_version(query.as_deref()).is_none() {
        return envelope::response(&ArmError::missing_api_version_parameter());
    }
    let tenant = tenant_id(&arm);
    axum::Json(json!({"value": [{
        "id": format!("/tenants/{tenant}"),
        "tenantId": tenant,
        "tenantCategory": "Home",
        "countryCode": "US",
        "displayName": "arcemu",
        "domains": ["arcemu.onmicrosoft.com"],
        "defaultDomain": "arcemu.onmicrosoft.com",
        "tenantType": "AAD"
    }]}))
    .into_response()
}

/// MSAL's instance discovery (`/common/discovery/instance?api-version=1.1&authorization_endpoint=..`):
/// the emulator vouches for itself, so a client that asks here instead of
/// login.microsoftonline.com accepts the emulator as an authority.
async fn instance_discovery(State(arm): State<ArmState>) -> Response {
    let base = base(&arm);
    let host = base.split_once("://").map_or(base.as_str(), |(_, h)| h).to_string();
    axum::Json(json!({
        "tenant_discovery_endpoint": format!("{base}/common/v2.0/.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}]
    }))
    .into_response()
}

/// OpenID discovery for `{tenant}` (`common`, `organizations` or an id: the document names the
/// world's tenant unless a specific one was asked for).
async fn openid_configuration(State(arm): State<ArmState>, Path(tenant): Path<String>) -> Response {
    let base = base(&arm);
    let named = match tenant.as_str() {
        "common" | "organizations" | "consumers" => "{tenantid}".to_string(),
        t => t.to_string(),
    };
    axum::Json(json!({
        "issuer": format!("{base}/{named}/v2.0"),
        "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
        "device_authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/devicecode"),
        "end_session_endpoint": format!("{base}/{tenant}/oauth2/v2.0/logout"),
        "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "grant_types_supported": ["client_credentials"],
        "tenant_region_scope": "NA",
        "cloud_instance_name": "arcemu",
        "request_uri_parameter_supported": false
    }))
    .into_response()
}

/// No signing keys: the emulator's tokens are not signed for anyone to verify.
async fn keys() -> Response {
    axum::Json(json!({"keys": []})).into_response()
}

/// An OAuth error as Entra ID answers it (`error`, `error_description` with an AADSTS code).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, axum::Json(json!({"error": error, "error_description": description, "error_codes": []}))).into_response()
}

/// The client-credentials grant: `grant_type=client_credentials`, `client_id`, `client_secret`
/// (or `client_assertion`), `scope` (v2, e.g. `https://management.core.windows.net//.default`) or
/// `resource` (v1). Any client and secret are accepted.
async fn token(State(arm): State<ArmState>, Path(tenant): Path<String>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    let form = form_pairs(&text);
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    match field("grant_type") {
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!(
                    "AADSTS70003: The app requested an unsupported grant type '{other}'. arcemu issues tokens for client credentials only."
                ),
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "AADSTS900144: The request body must contain the following parameter: 'grant_type'.",
            );
        }
    }
    let Some(client_id) = field("client_id") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
        );
    };
    if field("client_secret").is_none() && field("client_assertion").is_none() {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
        );
    }
    let audience = match (field("scope"), field("resource")) {
        (Some(scope), _) => scope.split(' ').next().unwrap_or_default().trim_end_matches(".default").to_string(),
        (None, Some(resource)) => resource.to_string(),
        (None, None) => ARM_AUDIENCE.to_string(),
    };
    let audience = if audience.ends_with("//") { audience[..audience.len() - 1].to_string() } else { audience };
    let tenant = match tenant.as_str() {
        "common" | "organizations" => tenant_id(&arm),
        t => t.to_string(),
    };
    let now = arm.world().now().unix_timestamp().max(0) as u64;
    let claims = json!({
        "aud": audience,
        "iss": format!("{}/{tenant}/", base(&arm)),
        "iat": now,
        "nbf": now,
        "exp": now + TOKEN_LIFETIME_SECS,
        "appid": client_id,
        "azp": client_id,
        "idtyp": "app",
        "oid": client_id,
        "sub": client_id,
        "tid": tenant,
        "ver": "1.0"
    });
    axum::Json(json!({
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECS,
        "ext_expires_in": TOKEN_LIFETIME_SECS,
        "access_token": jwt(&claims),
    }))
    .into_response()
}

/// A JWT-shaped token: header and claims encoded as JWTs are, and a placeholder signature.
pub fn jwt(claims: &Value) -> String {
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": "arcemu"});
    format!("{}.{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()), b64(b"arcemu-unsigned"))
}

/// `a=1&b=x%20y` (and `+` for space) as pairs, decoded.
fn form_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |i: usize| bytes.get(i).and_then(|b| (*b as char).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'+', _, _) => out.push(b' '),
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 2;
            }
            (b, _, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_percent_and_plus_and_keep_broken_escapes() {
        assert_eq!(
            form_pairs("scope=https%3A%2F%2Fx%2F.default&a=b+c&bad=%zz&end=%4"),
            vec![
                ("scope".into(), "https://x/.default".into()),
                ("a".into(), "b c".into()),
                ("bad".into(), "%zz".into()),
                ("end".into(), "%4".into())
            ]
        );
    }

    #[test]
    fn tokens_have_three_parts_and_readable_claims() {
        let t = jwt(&json!({"aud": "a"}));
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&claims).unwrap()["aud"], "a");
    }
}
