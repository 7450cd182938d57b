//! `arcemu health` (the container image's HEALTHCHECK): exit 0 when the emulator answers
//! `GET /_emulator/health`, 1 when it is unreachable or refuses, with the admin token read
//! from `ARCEMU_ADMIN_TOKEN` like the server reads it.

mod common;
use common::*;

/// Runs `arcemu health ARGS` with `token` (if any) in `ARCEMU_ADMIN_TOKEN`: (exit 0?, output).
async fn health(args: Vec<String>, token: Option<&'static str>) -> (bool, String) {
    tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_arcemu"));
        cmd.arg("health").args(&args).env_remove("ARCEMU_ADMIN_TOKEN").env_remove("ARCEMU_ARM");
        if let Some(t) = token {
            cmd.env("ARCEMU_ADMIN_TOKEN", t);
        }
        let out = cmd.output().expect("arcemu runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    })
    .await
    .expect("the command finished")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_exits_0_when_the_emulator_answers() {
    let arm = start().await;
    let (ok, out) = health(vec!["--arm".into(), arm.base.clone()], None).await;
    assert!(ok, "{out}");
    assert!(out.contains("\"status\":\"ok\""), "{out}");
    arm.emu.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_exits_1_when_nothing_listens() {
    // A port that was free a moment ago: nothing answers there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (ok, out) =
        health(vec!["--arm".into(), format!("http://127.0.0.1:{port}"), "--timeout-ms".into(), "2000".into()], None)
            .await;
    assert!(!ok, "{out}");
    assert!(out.contains("cannot reach the emulator"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_sends_the_admin_token_and_fails_without_it() {
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.access.admin_token = Some("health-token".into());
    let arm = start_with(cfg).await;
    let (ok, out) = health(vec!["--arm".into(), arm.base.clone()], None).await;
    assert!(!ok && out.contains("401"), "{out}");
    let (ok, out) = health(vec!["--arm".into(), arm.base.clone()], Some("health-token")).await;
    assert!(ok, "{out}");
    arm.emu.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_arm_health_asks_the_listener_of_arcemu_arm_listen() {
    // The container's HEALTHCHECK runs `arcemu health` with the container's environment: a
    // changed ARCEMU_ARM_LISTEN must not leave it asking the default port.
    let arm = start().await;
    let port = arm.base.rsplit(':').next().unwrap_or_default().to_string();
    let listen = format!("0.0.0.0:{port}");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_arcemu"))
            .arg("health")
            .env_remove("ARCEMU_ARM")
            .env_remove("ARCEMU_ADMIN_TOKEN")
            .env("ARCEMU_ARM_LISTEN", listen)
            .output()
            .expect("arcemu runs")
    })
    .await
    .expect("the command finished");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&format!("http://127.0.0.1:{port}/_emulator/health")), "{text}");
    arm.emu.stop().await;
}
