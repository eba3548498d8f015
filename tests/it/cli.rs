//! The command line itself: help, version, generated files, and how bad
//! usage and bad AWS configuration are reported.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use clap::CommandFactory;
use rotctl::cli::Cli;

use crate::harness::{Rotctl, World};

#[test]
fn version_and_help() {
    let run = Rotctl::new(&["--version"]).run().success();
    assert_eq!(run.stdout.trim(), format!("rotctl {}", env!("CARGO_PKG_VERSION")));
    let help = Rotctl::new(&["--help"]).run().success().stdout;
    assert!(help.contains("Examples:") && help.contains("Exit codes:"), "{help}");
}

#[test]
fn every_subcommand_help_ends_with_an_example() {
    for sub in Cli::command().get_subcommands() {
        let name = sub.get_name();
        let help = Rotctl::new(&[name, "--help"]).run().success().stdout;
        let examples =
            help.rfind("Examples:").unwrap_or_else(|| panic!("`rotctl {name} --help` has no example:\n{help}"));
        assert!(help[examples..].contains("rotctl "), "`rotctl {name} --help`:\n{help}");
    }
}

/// completions/ and docs/man/ are rotctl's own output; set
/// ROTCTL_UPDATE_GENERATED=1 to rewrite them after changing the CLI.
#[test]
fn generated_files_are_current() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut outputs = vec![(root.join("docs/man/rotctl.1"), vec!["man"])];
    for (shell, file) in [
        ("bash", "rotctl.bash"),
        ("zsh", "_rotctl"),
        ("fish", "rotctl.fish"),
        ("powershell", "_rotctl.ps1"),
        ("elvish", "rotctl.elv"),
    ] {
        outputs.push((root.join("completions").join(file), vec!["completions", shell]));
    }
    let update = std::env::var_os("ROTCTL_UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (path, args) in outputs {
        let generated = Rotctl::new(&args).run().success().stdout;
        if update {
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("creating the folder");
            std::fs::write(&path, &generated).expect("writing a generated file");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(stale.is_empty(), "out of date (run ROTCTL_UPDATE_GENERATED=1 cargo test generated): {stale:?}");
}

#[test]
fn usage_errors_exit_2_and_say_what_to_do() {
    let world = World::new();
    world.rotctl(&["status"]).run().fails(2, &["name at least one secret", "--all"]);
    world.rotctl(&["status", "a", "--all"]).run().code(2);
    world.rotctl(&["status", "--name-prefix", ""]).run().fails(2, &["--all"]);
    world.rotctl(&["status", "has space"]).run().fails(2, &["not a valid secret name"]);
    world
        .rotctl(&["status", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf"])
        .run()
        .fails(2, &["--region eu-west-1"]);
    world.rotctl(&["-o", "yaml", "status", "x"]).run().code(2);
    world.rotctl(&["status", "x", "--region", "mars-1"]).run().fails(2, &["not an AWS region"]);
    world.rotctl(&["status", "x", "--endpoint-url", "localhost:5000"]).run().fails(2, &["http://"]);
    assert!(world.calls().is_empty(), "bad input makes no AWS call: {:?}", world.calls());
}

#[test]
fn no_region_names_the_ways_to_set_one() {
    let world = World::new();
    world.rotctl(&["status", "x"]).env_remove("AWS_REGION").run().fails(2, &["--region", "AWS_REGION"]);
}

#[test]
fn no_credentials_names_the_ways_to_get_them() {
    let world = World::new();
    world
        .rotctl(&["status", "x"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .run()
        .fails(2, &["credentials", "AWS_PROFILE", "aws sso login"]);
}

#[test]
fn an_unreachable_endpoint_fails_saying_it_could_not_connect() {
    // A loopback port with nothing listening.
    let port = TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port();
    let world = World::new();
    world
        .rotctl(&["status", "x", "--endpoint-url", &format!("http://127.0.0.1:{port}")])
        .run()
        .fails(1, &["could not connect", "--endpoint-url"]);
}

#[test]
fn an_endpoint_answering_garbage_is_reported_not_panicked_on() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let endpoint = format!("http://{}", listener.local_addr().expect("its address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(3) {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0_u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot json!");
        }
    });
    let world = World::new();
    world.rotctl(&["status", "x", "--endpoint-url", &endpoint]).run().fails(1, &["secretsmanager:DescribeSecret"]);
}

/// The AWS SDK panics on an empty endpoint variable; rotctl must not.
#[tokio::test]
async fn endpoint_variables_that_are_empty_or_malformed() {
    let world = World::new();
    let secret = world.secret("db").await;
    let endpoint = world.endpoint.clone();
    // Empty counts as unset: the flag (or nothing) decides.
    let run = world
        .rotctl(&["status", &secret, "--endpoint-url", &endpoint])
        .env("AWS_ENDPOINT_URL", "")
        .env("AWS_ENDPOINT_URL_SECRETS_MANAGER", "")
        .run()
        .success();
    assert!(run.stdout.contains(&secret));
    world
        .rotctl(&["status", &secret])
        .env("AWS_ENDPOINT_URL", "localhost:5000")
        .run()
        .fails(2, &["AWS_ENDPOINT_URL", "http://"]);
    world
        .rotctl(&["status", &secret])
        .env("AWS_ENDPOINT_URL_SECRETS_MANAGER", "not a url")
        .run()
        .fails(2, &["AWS_ENDPOINT_URL_SECRETS_MANAGER"]);
}

/// docs/commands/audit.md documents every rule the audit has.
#[test]
fn the_audit_docs_name_every_rule() {
    let doc = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/commands/audit.md"))
        .expect("the audit docs");
    for rule in rotctl::audit::Rule::ALL {
        let row = format!("| `{}` | {} |", rule.id(), rule.severity().as_str());
        assert!(doc.contains(&row), "docs/commands/audit.md lacks the row {row:?}");
    }
}
