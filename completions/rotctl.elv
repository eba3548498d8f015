
use builtin;
use str;

set edit:completion:arg-completer[rotctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'rotctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'rotctl'= {
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Show rotation configuration, versions and the derived rotation state'
            cand enable 'Set up rotation for a secret: function, permission, network, schedule'
            cand rotate-now 'Rotate a secret now, with its configured function and schedule'
            cand rollback 'Make the previous version current again'
            cand disable 'Turn rotation off and clear a pending rotation''s label'
            cand schedule 'Change the rotation schedule without rotating now'
            cand why 'Say why a rotation failed: the step, the error, its cause and the fix'
            cand history 'Say what happened to a secret: rotations, failures, manual puts, rollbacks'
            cand doctor 'Check, before a rotation runs, everything it needs; exit 3 when one fails'
            cand audit 'Check every secret of the region(s) against the rotation rules'
            cand templates 'List the AWS rotation templates `enable --template` deploys'
            cand completions 'Print the shell completion script for SHELL'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rotctl;status'= {
            cand --name-prefix 'Every secret whose name starts with PREFIX (implies --all)'
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --all 'Every secret in the region'
            cand --check 'Exit 3 unless every secret shown is healthy'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;enable'= {
            cand --template 'Deploy this AWS rotation template from the Serverless Application Repository (`rotctl templates` lists them)'
            cand --template-file 'Deploy your own CloudFormation template; it must output RotationLambdaARN'
            cand --lambda-arn 'Use this existing rotation function'
            cand --every-days 'Rotate every N days (1-1000) [default: the secret''s schedule, else 30]'
            cand --schedule 'Rotate on a schedule (UTC): rate(N hours), rate(N days) or cron(0 H DOM MON DOW *)'
            cand --window 'How long each rotation window lasts, e.g. 4h [default: 1h for hourly schedules, the rest of the UTC day for daily ones]'
            cand --subnet-ids 'Run the function in these subnets (comma-separated; needs --security-group-ids)'
            cand --security-group-ids 'With these security groups (comma-separated; needs --subnet-ids)'
            cand --vpc-endpoint 'A Secrets Manager interface endpoint in the function''s VPC'
            cand --stack-name 'CloudFormation stack for the function [default: rotctl-<secret name>]'
            cand --function-name 'Name of the function the template creates [default: <secret name>-rotation]'
            cand --template-version 'Template version to deploy [default: the version rotctl pins]'
            cand --master-secret 'The master (superuser) secret, for alternating-users templates'
            cand --master-secret-kms-key-arn 'KMS key of the master secret, when it is a customer managed key'
            cand --kms-key-arn 'KMS key of the secret, when it is a customer managed key (the function is granted its use)'
            cand --exclude-characters 'Characters new passwords must not contain [default: the template''s]'
            cand --timeout 'How long --wait waits, e.g. 90s, 5m, 1h'
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --no-rotate-immediately 'Set up rotation without rotating now (AWS still runs the function''s testSecret step)'
            cand --check-value 'Let rotctl read the secret''s value once (GetSecretValue) to check it has the keys the template needs; only missing key names are ever shown. Without it rotctl asks at a terminal (--yes does not answer this), and skips the check, saying so, when nobody can answer'
            cand --no-preflight-value 'Do not read the secret''s value to check it has the keys the template needs'
            cand --wait 'Wait for the first rotation''s outcome, as `rotate-now --wait` (exit 1 failed, 4 timed out)'
            cand --dry-run 'Show the plan (each step: create, update or ok, and the call it would make); change nothing'
            cand --no-preflight-checks 'Start the rotation even when a doctor check fails (the function''s runtime, timeout, role permissions, KMS keys); the checks still show'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;rotate-now'= {
            cand --timeout 'How long --wait waits, e.g. 90s, 5m, 1h'
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --wait 'Wait for the outcome: exit 0 when the new version is AWSCURRENT, 1 when the rotation failed, 4 when --timeout passes first'
            cand --follow 'With --wait: print the rotation function''s log lines for this rotation as they arrive (on stderr; read every second), ending at AWSCURRENT or an error line'
            cand --retry 'After a failed or stuck rotation: remove AWSPENDING from its version (AWSCURRENT and the configuration stay as they are), then rotate again'
            cand --force 'With --retry: also cut short a rotation still in progress (younger than 15 minutes, no failure known)'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;rollback'= {
            cand --to-version 'Make this version current instead of the AWSPREVIOUS one (see `rotctl status`)'
            cand --expect-current 'Roll back only while VERSION_ID is AWSCURRENT; when that rollback has already happened, do nothing and exit 0 (makes a rollback safe to re-run from a script)'
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --dry-run 'Show what would change; change nothing'
            cand --force 'Cancel a rotation in progress first (this turns rotation off; turn it back on with `rotctl enable`)'
            cand --labels-only 'Move the labels even after a single-user rotation, whose database no longer accepts the older password (for when you reset it there yourself)'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;disable'= {
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --dry-run 'Show what would change; change nothing'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;schedule'= {
            cand --every-days 'Rotate every N days (1-1000)'
            cand --schedule 'Rotate on a schedule (UTC): rate(N hours), rate(N days) or cron(0 H DOM MON DOW *)'
            cand --window 'How long each rotation window lasts, e.g. 4h'
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --dry-run 'Show what would change; change nothing'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;why'= {
            cand --version 'The version whose rotation to explain [default: the pending one]'
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rotctl;history'= {
            cand --days 'How many days back to go (1 to 365; CloudTrail keeps 90)'
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;doctor'= {
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --no-value 'Do not read the secret''s value (skips the checks of its keys, host and master secret)'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;audit'= {
            cand --regions 'Regions to audit: a comma-separated list, or `all` for every region enabled for the account [default: the configured region]'
            cand --max-interval-days 'Flag schedules that rotate less often than every N days (1-1000)'
            cand --max-days-since-rotation 'Flag secrets whose last rotation is older than N days'
            cand --unused-days 'Flag secrets nobody has read for N days (never read: since creation)'
            cand --required-tags 'Flag secrets lacking any of these tag keys (comma-separated)'
            cand --fail-on 'Exit 3 when a finding of this severity or higher exists'
            cand --accounts 'Audit these accounts (comma-separated ids, or @FILE: ids separated by lines, spaces or commas, # comments) through --role-name'
            cand --ou 'With --org: only the accounts under this organizational unit (ou-... or the root r-...), nested units included'
            cand --exclude-accounts 'Leave these accounts out (comma-separated ids, or @FILE)'
            cand --role-name 'The role assumed in each account (the caller''s own account is read with the caller''s credentials)'
            cand --external-id 'The external id the role''s trust policy requires'
            cand --max-accounts 'How many accounts are read at once (1-100)'
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --require-cmk 'Flag secrets encrypted with the AWS managed key instead of a customer managed one'
            cand --strict 'Exit 1 when anything could not be read (an account, a region, a lookup), even when findings would make it 3'
            cand --org 'Audit every ACTIVE account of the organization (run it where the accounts can be listed: the management account or a delegated administrator)'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;templates'= {
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;completions'= {
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;man'= {
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;help'= {
            cand status 'Show rotation configuration, versions and the derived rotation state'
            cand enable 'Set up rotation for a secret: function, permission, network, schedule'
            cand rotate-now 'Rotate a secret now, with its configured function and schedule'
            cand rollback 'Make the previous version current again'
            cand disable 'Turn rotation off and clear a pending rotation''s label'
            cand schedule 'Change the rotation schedule without rotating now'
            cand why 'Say why a rotation failed: the step, the error, its cause and the fix'
            cand history 'Say what happened to a secret: rotations, failures, manual puts, rollbacks'
            cand doctor 'Check, before a rotation runs, everything it needs; exit 3 when one fails'
            cand audit 'Check every secret of the region(s) against the rotation rules'
            cand templates 'List the AWS rotation templates `enable --template` deploys'
            cand completions 'Print the shell completion script for SHELL'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rotctl;help;status'= {
        }
        &'rotctl;help;enable'= {
        }
        &'rotctl;help;rotate-now'= {
        }
        &'rotctl;help;rollback'= {
        }
        &'rotctl;help;disable'= {
        }
        &'rotctl;help;schedule'= {
        }
        &'rotctl;help;why'= {
        }
        &'rotctl;help;history'= {
        }
        &'rotctl;help;doctor'= {
        }
        &'rotctl;help;audit'= {
        }
        &'rotctl;help;templates'= {
        }
        &'rotctl;help;completions'= {
        }
        &'rotctl;help;man'= {
        }
        &'rotctl;help;help'= {
        }
    ]
    $completions[$command]
}
