//! Safe by default (issue 11, part B), over real HTTP: admin writes need JSON and no foreign
//! `Origin`; every request's `Host` is checked against an allow-list; the URLs the emulator
//! returns are built from its own base URL, never from `Host`; an optional admin token; every
//! error on every face is an ARM envelope; non-loopback listeners need `--allow-remote`.

mod common;
use common::*;
use serde_json::{Value, json};
use std::time::Duration;

/// A request with exactly these extra headers (a bearer token unless an `authorization` is
/// given; an empty one sends none).
async fn raw(arm: &Arm, method: &str, path: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Reply {
    let url = if path.starts_with("http") { path.to_string() } else { format!("{}{}", arm.base, path) };
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = arm.http.request(m, url).timeout(Duration::from_secs(20));
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")) {
        rb = rb.bearer_auth("test-token");
    }
    for (k, v) in headers.iter().filter(|(k, v)| !(k.eq_ignore_ascii_case("authorization") && v.is_empty())) {
        rb = rb.header(*k, *v);
    }
    if let Some(b) = body {
        rb = rb.body(b);
    }
    let resp = rb.send().await.unwrap_or_else(|e| panic!("{method} {path}: no answer: {e}"));
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    Reply { status, headers, body }
}

const JSON: (&str, &str) = ("content-type", "application/json");

fn site() -> Vec<u8> {
    br#"{"addressSpace": ["192.168.10.0/24"]}"#.to_vec()
}

/// An ARM envelope with this status and code, served as JSON.
fn envelope(r: &Reply, status: u16, code: &str) {
    r.refused(status, code, None);
    assert!(r.header("content-type").starts_with("application/json"), "{:?}", r.headers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_writes_need_application_json() {
    let arm = start().await;
    for ct in [Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data"), None] {
        let headers: Vec<(&str, &str)> = ct.iter().map(|c| ("content-type", *c)).collect();
        let r = raw(&arm, "PUT", "/_emulator/sites/hq", &headers, Some(site())).await;
        envelope(&r, 415, "UnsupportedMediaType");
        let body = json!({"scope": scope_id(SUB, "rg", "pls"), "clusters": []}).to_string().into_bytes();
        let r = raw(&arm, "POST", "/_emulator/private-link-scopes/add-resources", &headers, Some(body)).await;
        envelope(&r, 415, "UnsupportedMediaType");
    }
    assert_eq!(raw(&arm, "GET", "/_emulator/sites", &[], None).await.body["value"], json!([]), "nothing written");
    let r =
        raw(&arm, "PUT", "/_emulator/sites/hq", &[("content-type", "application/json; charset=utf-8")], Some(site()))
            .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // A DELETE without a body needs no content type.
    assert_eq!(raw(&arm, "DELETE", "/_emulator/sites/hq", &[], None).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_from_a_foreign_origin_are_refused() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let own = arm.base.clone();
    for origin in ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1"] {
        for (method, body) in [("PUT", Some(site())), ("DELETE", None)] {
            let r = raw(&arm, method, "/_emulator/sites/hq", &[JSON, ("origin", origin)], body).await;
            envelope(&r, 403, "ForeignOriginRefused");
        }
        let rg = format!("/subscriptions/{SUB}/resourcegroups/rg2?api-version={RG_API}");
        let r = raw(&arm, "PUT", &rg, &[JSON, ("origin", origin)], Some(br#"{"location": "eastus"}"#.to_vec())).await;
        envelope(&r, 403, "ForeignOriginRefused");
    }
    assert_eq!(raw(&arm, "GET", "/_emulator/sites", &[], None).await.body["value"], json!([]), "nothing written");
    // Reads are not writes; the emulator's own origin may write.
    assert_eq!(raw(&arm, "GET", "/_emulator/sites", &[("origin", "http://evil.example")], None).await.status, 200);
    let r = raw(&arm, "PUT", "/_emulator/sites/hq", &[JSON, ("origin", &own)], Some(site())).await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_outside_the_allow_list_are_refused() {
    let arm = start().await;
    let port = arm.emu.arm_addr().port();
    let rg = format!("/subscriptions/{SUB}/resourcegroups?api-version={RG_API}");
    for host in
        ["evil.example", &format!("evil.example:{port}"), "10.1.2.3", "localhost.evil.example", "127.0.0.1.nip.io"]
    {
        for path in ["/_emulator/health", "/_emulator/sites", rg.as_str()] {
            let r = raw(&arm, "GET", path, &[("host", host)], None).await;
            envelope(&r, 400, "HostNotAllowed");
        }
        let r = raw(&arm, "PUT", "/_emulator/sites/hq", &[JSON, ("host", host)], Some(site())).await;
        envelope(&r, 400, "HostNotAllowed");
    }
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), "LOCALHOST".into(), "127.0.0.2".into()] {
        let r = raw(&arm, "GET", &rg, &[("host", &host)], None).await;
        assert_eq!(r.status, 200, "{host}: {}", r.body);
    }
    // Names given with --allow-host (here: the config) are accepted too.
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.access.allow_hosts = vec!["arcemu.test".into()];
    let arm = start_with(cfg).await;
    assert_eq!(raw(&arm, "GET", &rg, &[("host", "arcemu.test:8490")], None).await.status, 200);
    envelope(&raw(&arm, "GET", &rg, &[("host", "other.test")], None).await, 400, "HostNotAllowed");
}

/// `Azure-AsyncOperation`, `Location` and `nextLink` name the emulator's own base URL (its
/// address, or the configured public URL), whatever `Host` and `X-Forwarded-Proto` say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returned_urls_use_the_emulators_own_base_url_not_the_host_header() {
    for public in [None, Some("https://arcemu.example:8443")] {
        let mut cfg = arcemu::EmulatorConfig::default();
        cfg.arm.page_size = 1;
        cfg.access.allow_hosts = vec!["arcemu.test".into()];
        cfg.access.public_url = public.map(str::to_string);
        let arm = start_with(cfg).await;
        let base = public.map(str::to_string).unwrap_or_else(|| arm.base.clone());
        arm.group(SUB, "rg", "eastus").await;
        arm.group(SUB, "rg2", "eastus").await;
        arm.group(SUB, "rg3", "eastus").await;
        let hostile = [("host", "arcemu.test"), ("x-forwarded-proto", "gopher"), JSON];
        let body = json!({"location": "eastus", "identity": {"type": "SystemAssigned"},
            "properties": {"agentPublicKeyCertificate": "MIIC-test", "privateLinkState": "Disabled"}});
        let url = format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "c"));
        let r = raw(&arm, "PUT", &url, &hostile, Some(body.to_string().into_bytes())).await;
        assert_eq!(r.status, 201, "{}", r.body);
        for h in ["azure-asyncoperation", "location"] {
            assert!(r.header(h).starts_with(&format!("{base}/subscriptions/")), "{h}: {} (base {base})", r.header(h));
        }
        let r = raw(
            &arm,
            "DELETE",
            &format!("/subscriptions/{SUB}/resourcegroups/rg2?api-version={RG_API}"),
            &hostile,
            None,
        )
        .await;
        assert_eq!(r.status, 202, "{}", r.body);
        assert!(r.header("location").starts_with(&format!("{base}/subscriptions/")), "{}", r.header("location"));
        let r = raw(&arm, "GET", &format!("/subscriptions/{SUB}/resourcegroups?api-version={RG_API}"), &hostile, None)
            .await;
        let next = r.body["nextLink"].as_str().unwrap_or_default();
        assert!(next.starts_with(&format!("{base}/subscriptions/")), "nextLink {next} (base {base})");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_token_guards_the_admin_api() {
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.access.admin_token = Some("s3cret-token".into());
    let arm = start_with(cfg).await;
    for auth in [None, Some("Bearer wrong"), Some("Bearer s3cret-token-longer"), Some("Basic czNjcmV0LXRva2Vu")] {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", *a)).chain([JSON]).collect();
        let headers = if auth.is_none() { vec![JSON, ("authorization", "")] } else { headers };
        for (method, path, body) in [
            ("GET", "/_emulator/health", None),
            ("GET", "/_emulator/sites", None),
            ("PUT", "/_emulator/sites/hq", Some(site())),
        ] {
            let r = raw(&arm, method, path, &headers, body).await;
            envelope(&r, 401, "AdminTokenRequired");
            assert!(r.header("www-authenticate").starts_with("Bearer"), "{:?}", r.headers);
        }
    }
    let ok = [JSON, ("authorization", "Bearer s3cret-token")];
    assert_eq!(raw(&arm, "PUT", "/_emulator/sites/hq", &ok, Some(site())).await.status, 201);
    assert_eq!(raw(&arm, "GET", "/_emulator/sites/hq", &ok, None).await.status, 200);
    // The ARM face is unchanged: any bearer token.
    let r =
        raw(&arm, "GET", &format!("/subscriptions?api-version={RG_API}"), &[("authorization", "Bearer x")], None).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// Every error of the admin API and the ARM face is an ARM envelope (code and fidelity), not
/// plain text or an empty body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_an_envelope() {
    let arm = start().await;
    let big = {
        let mut b = br#"{"addressSpace": ["192.168.10.0/24"], "pad": ""#.to_vec();
        b.extend(std::iter::repeat_n(b'x', 5 * 1024 * 1024));
        b.extend(br#""}"#);
        b
    };
    envelope(&raw(&arm, "PUT", "/_emulator/sites/hq", &[JSON], Some(big.clone())).await, 413, "RequestEntityTooLarge");
    let rg = format!("/subscriptions/{SUB}/resourcegroups/rg?api-version={RG_API}");
    envelope(&raw(&arm, "PUT", &rg, &[JSON], Some(big)).await, 413, "RequestEntityTooLarge");
    for (method, path) in [
        ("POST", "/_emulator/health"),
        ("PATCH", "/_emulator/sites/hq"),
        ("DELETE", "/_emulator/rules"),
        ("POST", "/_emulator/dns/resolve"),
        ("PUT", "/_emulator/"),
    ] {
        let r = raw(&arm, method, path, &[JSON], Some(b"{}".to_vec())).await;
        envelope(&r, 405, "MethodNotAllowed");
        assert!(!r.header("allow").is_empty(), "{method} {path}: {:?}", r.headers);
    }
    envelope(&raw(&arm, "GET", "/_emulator/nope", &[], None).await, 404, "NotFound");
    envelope(&raw(&arm, "GET", "/nope", &[], None).await, 404, "NotFound");
    for bad in [&b"{"[..], b"", b"[1,", b"\xff\xfe", b"null"] {
        let r = raw(&arm, "PUT", "/_emulator/sites/hq", &[JSON], Some(bad.to_vec())).await;
        envelope(&r, 400, "InvalidRequestContent");
        envelope(&raw(&arm, "PUT", &rg, &[JSON], Some(bad.to_vec())).await, 400, "InvalidRequestContent");
    }
    // Extractor rejections: a path segment that is not UTF-8, a query that does not parse.
    envelope(&raw(&arm, "GET", "/_emulator/sites/%ff", &[], None).await, 400, "InvalidRequestUri");
    envelope(
        &raw(&arm, "PUT", "/_emulator/clusters/%C3", &[JSON], Some(b"{}".to_vec())).await,
        400,
        "InvalidRequestUri",
    );
    let r = raw(&arm, "GET", "/_emulator/clusters/x/explain?format=text&format=json", &[], None).await;
    envelope(&r, 400, "InvalidRequestContent");
}

/// `arcemu serve` refuses a non-loopback listener unless `--allow-remote` is given. The address
/// is TEST-NET-1, never a local one: nothing is bound, and without the refusal the bind fails.
#[test]
fn a_non_loopback_listener_needs_allow_remote() {
    let run = |args: &[&str]| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_arcemu"))
            .arg("serve")
            .args(args)
            .env_remove("ARCEMU_ALLOW_REMOTE")
            .env_remove("ARCEMU_WORLD")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("arcemu runs");
        let start = std::time::Instant::now();
        while child.try_wait().expect("wait").is_none() {
            if start.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("arcemu serve {args:?} kept running");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().expect("output");
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    for args in [
        ["--arm-listen", "192.0.2.1:0", "--dns-listen", "127.0.0.1:0"],
        ["--arm-listen", "127.0.0.1:0", "--dns-listen", "192.0.2.1:0"],
    ] {
        let (code, err) = run(&args);
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("192.0.2.1") && err.contains("--allow-remote") && err.contains("loopback"), "{err}");
        // With the flag the emulator tries to bind (and fails: the address is not this host's).
        let mut with = args.to_vec();
        with.push("--allow-remote");
        let (code, err) = run(&with);
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("cannot listen") && !err.contains("refusing to listen"), "{err}");
    }
}

/// The same check for the in-process API: `Emulator::start` refuses a non-loopback listener
/// unless `access.allow_remote` is set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_process_emulator_refuses_non_loopback_listeners_too() {
    let cfg = arcemu::EmulatorConfig { arm_listen: "192.0.2.1:0".parse().unwrap(), ..Default::default() };
    let err = arcemu::Emulator::start(cfg).await.err().expect("refused");
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied, "{err}");
    assert!(err.to_string().contains("allow_remote"), "{err}");
}

/// `arcemu nslookup` and `arcemu explain` send the admin token (`--admin-token` or
/// `ARCEMU_ADMIN_TOKEN`) to an emulator that needs one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_sends_the_admin_token() {
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.access.admin_token = Some("cli-token".into());
    let arm = start_with(cfg).await;
    let base = arm.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        let cli = |args: &[&str], token: Option<&str>| {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_arcemu"));
            cmd.args(args).args(["--arm", &base]).env_remove("ARCEMU_ADMIN_TOKEN");
            if let Some(t) = token {
                cmd.env("ARCEMU_ADMIN_TOKEN", t);
            }
            let out = cmd.output().expect("arcemu runs");
            // nslookup of the public name exits 10 (a public address: README, "Exit codes").
            (
                matches!(out.status.code(), Some(0 | 10)),
                String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
            )
        };
        [
            cli(&["nslookup", "gbl.his.arc.azure.com"], None),
            cli(&["nslookup", "gbl.his.arc.azure.com"], Some("cli-token")),
            cli(&["nslookup", "gbl.his.arc.azure.com", "--admin-token", "cli-token"], None),
            cli(&["explain", "nope", "--admin-token", "cli-token"], None),
        ]
    })
    .await
    .unwrap();
    assert!(!out[0].0 && out[0].1.contains("Bearer"), "{}", out[0].1);
    assert!(out[1].0 && out[1].1.contains("gbl.his.arc.azure.com"), "{}", out[1].1);
    assert!(out[2].0, "{}", out[2].1);
    assert!(!out[3].0 && out[3].1.contains("'nope' does not exist"), "{}", out[3].1);
}
