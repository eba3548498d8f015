//! Other accounts: who the caller is (STS GetCallerIdentity), the accounts of
//! an organization (Organizations ListAccounts, or the accounts under one
//! organizational unit and its nested units), and clients acting in another
//! account through one AssumeRole, refreshed if the run outlives it.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, error::CredentialsError, future};

use super::Clients;
use super::error::explain;
use crate::error::Result;

/// Credentials are renewed this long before they expire.
const RENEW_BEFORE: Duration = Duration::from_mins(5);

/// The caller's account and partition (from its ARN).
pub(crate) async fn caller(clients: &Clients) -> Result<(String, String)> {
    let identity = clients.sts.get_caller_identity().send().await.map_err(|e| explain(e, "sts:GetCallerIdentity"))?;
    let account = identity.account().unwrap_or_default().to_string();
    let partition = identity.arn().and_then(|arn| arn.split(':').nth(1)).unwrap_or("aws").to_string();
    Ok((account, partition))
}

/// One account of the organization: its id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
}

/// Every ACTIVE account of the caller's organization, or of one
/// organizational unit and the units nested in it. Pages are followed until
/// AWS sends no NextToken: a page may be empty and still have one.
pub(crate) async fn organization(clients: &Clients, unit: Option<&str>) -> Result<Vec<Account>> {
    let mut found = Vec::new();
    let Some(unit) = unit else {
        let mut next = None;
        loop {
            let page = clients
                .organizations
                .list_accounts()
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| explain(e, "organizations:ListAccounts"))?;
            found.extend(page.accounts().iter().filter_map(active));
            match page.next_token() {
                Some(token) => next = Some(token.to_string()),
                None => return Ok(found),
            }
        }
    };
    let mut units = vec![unit.to_string()];
    while let Some(parent) = units.pop() {
        let mut next = None;
        loop {
            let page = clients
                .organizations
                .list_accounts_for_parent()
                .parent_id(&parent)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| explain(e, "organizations:ListAccountsForParent"))?;
            found.extend(page.accounts().iter().filter_map(active));
            match page.next_token() {
                Some(token) => next = Some(token.to_string()),
                None => break,
            }
        }
        let mut next = None;
        loop {
            let page = clients
                .organizations
                .list_organizational_units_for_parent()
                .parent_id(&parent)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| explain(e, "organizations:ListOrganizationalUnitsForParent"))?;
            units.extend(page.organizational_units().iter().filter_map(|u| u.id().map(str::to_string)));
            match page.next_token() {
                Some(token) => next = Some(token.to_string()),
                None => break,
            }
        }
    }
    Ok(found)
}

fn active(account: &aws_sdk_organizations::types::Account) -> Option<Account> {
    use aws_sdk_organizations::types::AccountStatus;
    (account.status() == Some(&AccountStatus::Active))
        .then(|| Account { id: account.id().unwrap_or_default().to_string(), name: account.name().map(str::to_string) })
}

/// How to assume the audit role in each account.
#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub(crate) name: String,
    pub(crate) partition: String,
    pub(crate) external_id: Option<String>,
    pub(crate) session: String,
}

impl Role {
    pub(crate) fn arn(&self, account: &str) -> String {
        format!("arn:{}:iam::{account}:role/{}", self.partition, self.name)
    }
}

/// Clients acting in `account` as `role`: one AssumeRole now (its failure is
/// the caller's to report), then again only if the run outlives the credentials.
pub(crate) async fn assume(clients: &Clients, account: &str, role: &Role) -> Result<Clients> {
    let arn = role.arn(account);
    let credentials = assume_role(&clients.sts, &arn, role).await?;
    let provider = AssumedRole {
        sts: aws_sdk_sts::Client::clone(&clients.sts),
        arn,
        role: role.clone(),
        current: Mutex::new(credentials),
    };
    Ok(clients.with_credentials(SharedCredentialsProvider::new(provider)))
}

async fn assume_role(client: &aws_sdk_sts::Client, arn: &str, role: &Role) -> Result<Credentials> {
    let what = "sts:AssumeRole";
    let out = client
        .assume_role()
        .role_arn(arn)
        .role_session_name(&role.session)
        .set_external_id(role.external_id.clone())
        .send()
        .await
        .map_err(|e| explain(e, what))?;
    let issued = out.credentials().ok_or_else(|| crate::error::Error::failed(what, "AWS sent no credentials"))?;
    let expiry = SystemTime::try_from(*issued.expiration()).ok();
    Ok(Credentials::new(
        issued.access_key_id(),
        issued.secret_access_key(),
        Some(issued.session_token().to_string()),
        expiry,
        "rotctl-assume-role",
    ))
}

/// A role's credentials: the ones from the first AssumeRole, renewed shortly
/// before they expire (a long audit of many accounts may outlive an hour).
#[derive(Debug)]
struct AssumedRole {
    sts: aws_sdk_sts::Client,
    arn: String,
    role: Role,
    current: Mutex<Credentials>,
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let current = self.current.lock().map_err(|_| CredentialsError::unhandled("a poisoned lock"))?.clone();
            let fresh = current
                .expiry()
                .is_none_or(|expiry| expiry.duration_since(SystemTime::now()).is_ok_and(|left| left > RENEW_BEFORE));
            if fresh {
                return Ok(current);
            }
            let renewed = assume_role(&self.sts, &self.arn, &self.role)
                .await
                .map_err(|e| CredentialsError::provider_error(e.to_string()))?;
            *self.current.lock().map_err(|_| CredentialsError::unhandled("a poisoned lock"))? = renewed.clone();
            Ok(renewed)
        })
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
    use aws_sdk_organizations::types::{Account as Listed, AccountStatus};
    use aws_sdk_sts::operation::assume_role::AssumeRoleOutput;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;

    // AWS may answer a page with no accounts and a NextToken (the emulator
    // never does): the listing goes on until no token comes back.
    #[tokio::test]
    async fn empty_pages_are_followed_to_the_end_and_only_active_accounts_kept() {
        let first = mock!(aws_sdk_organizations::Client::list_accounts)
            .match_requests(|r| r.next_token().is_none())
            .then_output(|| ListAccountsOutput::builder().next_token("page-2").build());
        let second = mock!(aws_sdk_organizations::Client::list_accounts)
            .match_requests(|r| r.next_token() == Some("page-2"))
            .then_output(|| {
                ListAccountsOutput::builder()
                    .accounts(Listed::builder().id("111111111111").name("prod").status(AccountStatus::Active).build())
                    .accounts(Listed::builder().id("222222222222").status(AccountStatus::Suspended).build())
                    .next_token("page-3")
                    .build()
            });
        let last = mock!(aws_sdk_organizations::Client::list_accounts)
            .match_requests(|r| r.next_token() == Some("page-3"))
            .then_output(|| ListAccountsOutput::builder().build());
        let mut clients = Clients::mocked();
        clients.organizations = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, [&first, &second, &last]);
        let found = organization(&clients, None).await.expect("listed");
        assert_eq!(found, [Account { id: "111111111111".into(), name: Some("prod".into()) }]);
        assert_eq!((first.num_calls(), second.num_calls(), last.num_calls()), (1, 1, 1));
    }

    fn role() -> Role {
        Role {
            name: "RotctlAudit".into(),
            partition: "aws".into(),
            external_id: None,
            session: "rotctl-audit-1".into(),
        }
    }

    // A run that outlives its credentials: the emulator cannot make an hour
    // pass, so STS answers from a rule here.
    #[tokio::test]
    async fn credentials_are_renewed_shortly_before_they_expire_and_not_before() {
        let renew = mock!(aws_sdk_sts::Client::assume_role).then_output(|| {
            let expires = aws_smithy_types::DateTime::from(SystemTime::now() + Duration::from_hours(1));
            AssumeRoleOutput::builder()
                .credentials(
                    aws_sdk_sts::types::Credentials::builder()
                        .access_key_id("ASIARENEWED")
                        .secret_access_key("renewed")
                        .session_token("token")
                        .expiration(expires)
                        .build()
                        .expect("credentials"),
                )
                .build()
        });
        let sts = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&renew]);
        let issued = |key: &str, left: Duration| {
            Credentials::new(key, "secret", Some("token".into()), Some(SystemTime::now() + left), "test")
        };
        let fresh = AssumedRole {
            sts: sts.clone(),
            arn: role().arn("111111111111"),
            role: role(),
            current: Mutex::new(issued("ASIAFIRST", Duration::from_mins(50))),
        };
        assert_eq!(fresh.provide_credentials().await.expect("credentials").access_key_id(), "ASIAFIRST");
        assert_eq!(renew.num_calls(), 0, "fresh credentials are kept");
        let expiring = AssumedRole { current: Mutex::new(issued("ASIAFIRST", Duration::from_mins(1))), ..fresh };
        assert_eq!(expiring.provide_credentials().await.expect("credentials").access_key_id(), "ASIARENEWED");
        assert_eq!(expiring.provide_credentials().await.expect("credentials").access_key_id(), "ASIARENEWED");
        assert_eq!(renew.num_calls(), 1, "renewed once, then kept");
        assert_eq!(role().arn("111111111111"), "arn:aws:iam::111111111111:role/RotctlAudit");
    }
}
