
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rotctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rotctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'rotctl' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show rotation configuration, versions and the derived rotation state')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Set up rotation for a secret: function, permission, network, schedule')
            [CompletionResult]::new('rotate-now', 'rotate-now', [CompletionResultType]::ParameterValue, 'Rotate a secret now, with its configured function and schedule')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Make the previous version current again')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Turn rotation off and clear a pending rotation''s label')
            [CompletionResult]::new('schedule', 'schedule', [CompletionResultType]::ParameterValue, 'Change the rotation schedule without rotating now')
            [CompletionResult]::new('why', 'why', [CompletionResultType]::ParameterValue, 'Say why a rotation failed: the step, the error, its cause and the fix')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Say what happened to a secret: rotations, failures, manual puts, rollbacks')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check, before a rotation runs, everything it needs; exit 3 when one fails')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Check every secret of the region(s) against the rotation rules')
            [CompletionResult]::new('templates', 'templates', [CompletionResultType]::ParameterValue, 'List the AWS rotation templates `enable --template` deploys')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script for SHELL')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rotctl;status' {
            [CompletionResult]::new('--name-prefix', '--name-prefix', [CompletionResultType]::ParameterName, 'Every secret whose name starts with PREFIX (implies --all)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every secret in the region')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 3 unless every secret shown is healthy')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;enable' {
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'Deploy this AWS rotation template from the Serverless Application Repository (`rotctl templates` lists them)')
            [CompletionResult]::new('--template-file', '--template-file', [CompletionResultType]::ParameterName, 'Deploy your own CloudFormation template; it must output RotationLambdaARN')
            [CompletionResult]::new('--lambda-arn', '--lambda-arn', [CompletionResultType]::ParameterName, 'Use this existing rotation function')
            [CompletionResult]::new('--every-days', '--every-days', [CompletionResultType]::ParameterName, 'Rotate every N days (1-1000) [default: the secret''s schedule, else 30]')
            [CompletionResult]::new('--schedule', '--schedule', [CompletionResultType]::ParameterName, 'Rotate on a schedule (UTC): rate(N hours), rate(N days) or cron(0 H DOM MON DOW *)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'How long each rotation window lasts, e.g. 4h [default: 1h for hourly schedules, the rest of the UTC day for daily ones]')
            [CompletionResult]::new('--subnet-ids', '--subnet-ids', [CompletionResultType]::ParameterName, 'Run the function in these subnets (comma-separated; needs --security-group-ids)')
            [CompletionResult]::new('--security-group-ids', '--security-group-ids', [CompletionResultType]::ParameterName, 'With these security groups (comma-separated; needs --subnet-ids)')
            [CompletionResult]::new('--vpc-endpoint', '--vpc-endpoint', [CompletionResultType]::ParameterName, 'A Secrets Manager interface endpoint in the function''s VPC')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'CloudFormation stack for the function [default: rotctl-<secret name>]')
            [CompletionResult]::new('--function-name', '--function-name', [CompletionResultType]::ParameterName, 'Name of the function the template creates [default: <secret name>-rotation]')
            [CompletionResult]::new('--template-version', '--template-version', [CompletionResultType]::ParameterName, 'Template version to deploy [default: the version rotctl pins]')
            [CompletionResult]::new('--master-secret', '--master-secret', [CompletionResultType]::ParameterName, 'The master (superuser) secret, for alternating-users templates')
            [CompletionResult]::new('--master-secret-kms-key-arn', '--master-secret-kms-key-arn', [CompletionResultType]::ParameterName, 'KMS key of the master secret, when it is a customer managed key')
            [CompletionResult]::new('--kms-key-arn', '--kms-key-arn', [CompletionResultType]::ParameterName, 'KMS key of the secret, when it is a customer managed key (the function is granted its use)')
            [CompletionResult]::new('--exclude-characters', '--exclude-characters', [CompletionResultType]::ParameterName, 'Characters new passwords must not contain [default: the template''s]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long --wait waits, e.g. 90s, 5m, 1h')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--no-rotate-immediately', '--no-rotate-immediately', [CompletionResultType]::ParameterName, 'Set up rotation without rotating now (AWS still runs the function''s testSecret step)')
            [CompletionResult]::new('--check-value', '--check-value', [CompletionResultType]::ParameterName, 'Let rotctl read the secret''s value once (GetSecretValue) to check it has the keys the template needs; only missing key names are ever shown. Without it rotctl asks at a terminal (--yes does not answer this), and skips the check, saying so, when nobody can answer')
            [CompletionResult]::new('--no-preflight-value', '--no-preflight-value', [CompletionResultType]::ParameterName, 'Do not read the secret''s value to check it has the keys the template needs')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for the first rotation''s outcome, as `rotate-now --wait` (exit 1 failed, 4 timed out)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan (each step: create, update or ok, and the call it would make); change nothing')
            [CompletionResult]::new('--no-preflight-checks', '--no-preflight-checks', [CompletionResultType]::ParameterName, 'Start the rotation even when a doctor check fails (the function''s runtime, timeout, role permissions, KMS keys); the checks still show')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;rotate-now' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long --wait waits, e.g. 90s, 5m, 1h')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for the outcome: exit 0 when the new version is AWSCURRENT, 1 when the rotation failed, 4 when --timeout passes first')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'With --wait: print the rotation function''s log lines for this rotation as they arrive (on stderr; read every second), ending at AWSCURRENT or an error line')
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'After a failed or stuck rotation: remove AWSPENDING from its version (AWSCURRENT and the configuration stay as they are), then rotate again')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With --retry: also cut short a rotation still in progress (younger than 15 minutes, no failure known)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;rollback' {
            [CompletionResult]::new('--to-version', '--to-version', [CompletionResultType]::ParameterName, 'Make this version current instead of the AWSPREVIOUS one (see `rotctl status`)')
            [CompletionResult]::new('--expect-current', '--expect-current', [CompletionResultType]::ParameterName, 'Roll back only while VERSION_ID is AWSCURRENT; when that rollback has already happened, do nothing and exit 0 (makes a rollback safe to re-run from a script)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change; change nothing')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Cancel a rotation in progress first (this turns rotation off; turn it back on with `rotctl enable`)')
            [CompletionResult]::new('--labels-only', '--labels-only', [CompletionResultType]::ParameterName, 'Move the labels even after a single-user rotation, whose database no longer accepts the older password (for when you reset it there yourself)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;disable' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change; change nothing')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;schedule' {
            [CompletionResult]::new('--every-days', '--every-days', [CompletionResultType]::ParameterName, 'Rotate every N days (1-1000)')
            [CompletionResult]::new('--schedule', '--schedule', [CompletionResultType]::ParameterName, 'Rotate on a schedule (UTC): rate(N hours), rate(N days) or cron(0 H DOM MON DOW *)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'How long each rotation window lasts, e.g. 4h')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change; change nothing')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;why' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The version whose rotation to explain [default: the pending one]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rotctl;history' {
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'How many days back to go (1 to 365; CloudTrail keeps 90)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;doctor' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--no-value', '--no-value', [CompletionResultType]::ParameterName, 'Do not read the secret''s value (skips the checks of its keys, host and master secret)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;audit' {
            [CompletionResult]::new('--regions', '--regions', [CompletionResultType]::ParameterName, 'Regions to audit: a comma-separated list, or `all` for every region enabled for the account [default: the configured region]')
            [CompletionResult]::new('--max-interval-days', '--max-interval-days', [CompletionResultType]::ParameterName, 'Flag schedules that rotate less often than every N days (1-1000)')
            [CompletionResult]::new('--max-days-since-rotation', '--max-days-since-rotation', [CompletionResultType]::ParameterName, 'Flag secrets whose last rotation is older than N days')
            [CompletionResult]::new('--unused-days', '--unused-days', [CompletionResultType]::ParameterName, 'Flag secrets nobody has read for N days (never read: since creation)')
            [CompletionResult]::new('--required-tags', '--required-tags', [CompletionResultType]::ParameterName, 'Flag secrets lacking any of these tag keys (comma-separated)')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 3 when a finding of this severity or higher exists')
            [CompletionResult]::new('--accounts', '--accounts', [CompletionResultType]::ParameterName, 'Audit these accounts (comma-separated ids, or @FILE: ids separated by lines, spaces or commas, # comments) through --role-name')
            [CompletionResult]::new('--ou', '--ou', [CompletionResultType]::ParameterName, 'With --org: only the accounts under this organizational unit (ou-... or the root r-...), nested units included')
            [CompletionResult]::new('--exclude-accounts', '--exclude-accounts', [CompletionResultType]::ParameterName, 'Leave these accounts out (comma-separated ids, or @FILE)')
            [CompletionResult]::new('--role-name', '--role-name', [CompletionResultType]::ParameterName, 'The role assumed in each account (the caller''s own account is read with the caller''s credentials)')
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'The external id the role''s trust policy requires')
            [CompletionResult]::new('--max-accounts', '--max-accounts', [CompletionResultType]::ParameterName, 'How many accounts are read at once (1-100)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--require-cmk', '--require-cmk', [CompletionResultType]::ParameterName, 'Flag secrets encrypted with the AWS managed key instead of a customer managed one')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 when anything could not be read (an account, a region, a lookup), even when findings would make it 3')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Audit every ACTIVE account of the organization (run it where the accounts can be listed: the management account or a delegated administrator)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;templates' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;completions' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;man' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print one line per AWS call to stderr (service, operation, status, time); repeatable')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotctl;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show rotation configuration, versions and the derived rotation state')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Set up rotation for a secret: function, permission, network, schedule')
            [CompletionResult]::new('rotate-now', 'rotate-now', [CompletionResultType]::ParameterValue, 'Rotate a secret now, with its configured function and schedule')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Make the previous version current again')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Turn rotation off and clear a pending rotation''s label')
            [CompletionResult]::new('schedule', 'schedule', [CompletionResultType]::ParameterValue, 'Change the rotation schedule without rotating now')
            [CompletionResult]::new('why', 'why', [CompletionResultType]::ParameterValue, 'Say why a rotation failed: the step, the error, its cause and the fix')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Say what happened to a secret: rotations, failures, manual puts, rollbacks')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check, before a rotation runs, everything it needs; exit 3 when one fails')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Check every secret of the region(s) against the rotation rules')
            [CompletionResult]::new('templates', 'templates', [CompletionResultType]::ParameterValue, 'List the AWS rotation templates `enable --template` deploys')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script for SHELL')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rotctl;help;status' {
            break
        }
        'rotctl;help;enable' {
            break
        }
        'rotctl;help;rotate-now' {
            break
        }
        'rotctl;help;rollback' {
            break
        }
        'rotctl;help;disable' {
            break
        }
        'rotctl;help;schedule' {
            break
        }
        'rotctl;help;why' {
            break
        }
        'rotctl;help;history' {
            break
        }
        'rotctl;help;doctor' {
            break
        }
        'rotctl;help;audit' {
            break
        }
        'rotctl;help;templates' {
            break
        }
        'rotctl;help;completions' {
            break
        }
        'rotctl;help;man' {
            break
        }
        'rotctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
