# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rotctl_global_optspecs
    string join \n region= profile= endpoint-url= o/output= no-color v/verbose y/yes h/help V/version
end

function __fish_rotctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rotctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rotctl_using_subcommand
    set -l cmd (__fish_rotctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rotctl -n "__fish_rotctl_needs_command" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_needs_command" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_needs_command" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_needs_command" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_needs_command" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_needs_command" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_needs_command" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_needs_command" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "status" -d 'Show rotation configuration, versions and the derived rotation state'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "enable" -d 'Set up rotation for a secret: function, permission, network, schedule'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "rotate-now" -d 'Rotate a secret now, with its configured function and schedule'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "rollback" -d 'Make the previous version current again'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "disable" -d 'Turn rotation off and clear a pending rotation\'s label'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "schedule" -d 'Change the rotation schedule without rotating now'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "why" -d 'Say why a rotation failed: the step, the error, its cause and the fix'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "history" -d 'Say what happened to a secret: rotations, failures, manual puts, rollbacks'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "doctor" -d 'Check, before a rotation runs, everything it needs; exit 3 when one fails'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "audit" -d 'Check every secret of the region(s) against the rotation rules'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "templates" -d 'List the AWS rotation templates `enable --template` deploys'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "completions" -d 'Print the shell completion script for SHELL'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c rotctl -n "__fish_rotctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -l name-prefix -d 'Every secret whose name starts with PREFIX (implies --all)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -l all -d 'Every secret in the region'
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -l check -d 'Exit 3 unless every secret shown is healthy'
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand status" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l template -d 'Deploy this AWS rotation template from the Serverless Application Repository (`rotctl templates` lists them)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l template-file -d 'Deploy your own CloudFormation template; it must output RotationLambdaARN' -r -F
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l lambda-arn -d 'Use this existing rotation function' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l every-days -d 'Rotate every N days (1-1000) [default: the secret\'s schedule, else 30]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l schedule -d 'Rotate on a schedule (UTC): rate(N hours), rate(N days) or cron(0 H DOM MON DOW *)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l window -d 'How long each rotation window lasts, e.g. 4h [default: 1h for hourly schedules, the rest of the UTC day for daily ones]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l subnet-ids -d 'Run the function in these subnets (comma-separated; needs --security-group-ids)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l security-group-ids -d 'With these security groups (comma-separated; needs --subnet-ids)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l vpc-endpoint -d 'A Secrets Manager interface endpoint in the function\'s VPC' -r -f -a "auto\t'Make sure the function\'s VPC has one, when the function is in a VPC'
create\t'The same, and the function must be in a VPC'
skip\t'Neither check nor create one'"
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l stack-name -d 'CloudFormation stack for the function [default: rotctl-<secret name>]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l function-name -d 'Name of the function the template creates [default: <secret name>-rotation]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l template-version -d 'Template version to deploy [default: the version rotctl pins]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l master-secret -d 'The master (superuser) secret, for alternating-users templates' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l master-secret-kms-key-arn -d 'KMS key of the master secret, when it is a customer managed key' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l kms-key-arn -d 'KMS key of the secret, when it is a customer managed key (the function is granted its use)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l exclude-characters -d 'Characters new passwords must not contain [default: the template\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l timeout -d 'How long --wait waits, e.g. 90s, 5m, 1h' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l no-rotate-immediately -d 'Set up rotation without rotating now (AWS still runs the function\'s testSecret step)'
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l check-value -d 'Let rotctl read the secret\'s value once (GetSecretValue) to check it has the keys the template needs; only missing key names are ever shown. Without it rotctl asks at a terminal (--yes does not answer this), and skips the check, saying so, when nobody can answer'
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l no-preflight-value -d 'Do not read the secret\'s value to check it has the keys the template needs'
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l wait -d 'Wait for the first rotation\'s outcome, as `rotate-now --wait` (exit 1 failed, 4 timed out)'
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l dry-run -d 'Show the plan (each step: create, update or ok, and the call it would make); change nothing'
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l no-preflight-checks -d 'Start the rotation even when a doctor check fails (the function\'s runtime, timeout, role permissions, KMS keys); the checks still show'
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand enable" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -l timeout -d 'How long --wait waits, e.g. 90s, 5m, 1h' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -l wait -d 'Wait for the outcome: exit 0 when the new version is AWSCURRENT, 1 when the rotation failed, 4 when --timeout passes first'
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -l follow -d 'With --wait: print the rotation function\'s log lines for this rotation as they arrive (on stderr; read every second), ending at AWSCURRENT or an error line'
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -l retry -d 'After a failed or stuck rotation: remove AWSPENDING from its version (AWSCURRENT and the configuration stay as they are), then rotate again'
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -l force -d 'With --retry: also cut short a rotation still in progress (younger than 15 minutes, no failure known)'
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand rotate-now" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -l to-version -d 'Make this version current instead of the AWSPREVIOUS one (see `rotctl status`)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -l expect-current -d 'Roll back only while VERSION_ID is AWSCURRENT; when that rollback has already happened, do nothing and exit 0 (makes a rollback safe to re-run from a script)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -l dry-run -d 'Show what would change; change nothing'
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -l force -d 'Cancel a rotation in progress first (this turns rotation off; turn it back on with `rotctl enable`)'
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -l labels-only -d 'Move the labels even after a single-user rotation, whose database no longer accepts the older password (for when you reset it there yourself)'
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand rollback" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand disable" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand disable" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand disable" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand disable" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand disable" -l dry-run -d 'Show what would change; change nothing'
complete -c rotctl -n "__fish_rotctl_using_subcommand disable" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand disable" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand disable" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand disable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand disable" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -l every-days -d 'Rotate every N days (1-1000)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -l schedule -d 'Rotate on a schedule (UTC): rate(N hours), rate(N days) or cron(0 H DOM MON DOW *)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -l window -d 'How long each rotation window lasts, e.g. 4h' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -l dry-run -d 'Show what would change; change nothing'
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand schedule" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand why" -l version -d 'The version whose rotation to explain [default: the pending one]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand why" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand why" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand why" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand why" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand why" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand why" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand why" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand why" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand history" -l days -d 'How many days back to go (1 to 365; CloudTrail keeps 90)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand history" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand history" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand history" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand history" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand history" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand history" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand history" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand history" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand doctor" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand doctor" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand doctor" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand doctor" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand doctor" -l no-value -d 'Do not read the secret\'s value (skips the checks of its keys, host and master secret)'
complete -c rotctl -n "__fish_rotctl_using_subcommand doctor" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand doctor" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand doctor" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l regions -d 'Regions to audit: a comma-separated list, or `all` for every region enabled for the account [default: the configured region]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l max-interval-days -d 'Flag schedules that rotate less often than every N days (1-1000)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l max-days-since-rotation -d 'Flag secrets whose last rotation is older than N days' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l unused-days -d 'Flag secrets nobody has read for N days (never read: since creation)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l required-tags -d 'Flag secrets lacking any of these tag keys (comma-separated)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l fail-on -d 'Exit 3 when a finding of this severity or higher exists' -r -f -a "low\t''
medium\t''
high\t''
never\t''"
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l accounts -d 'Audit these accounts (comma-separated ids, or @FILE: ids separated by lines, spaces or commas, # comments) through --role-name' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l ou -d 'With --org: only the accounts under this organizational unit (ou-... or the root r-...), nested units included' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l exclude-accounts -d 'Leave these accounts out (comma-separated ids, or @FILE)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l role-name -d 'The role assumed in each account (the caller\'s own account is read with the caller\'s credentials)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l external-id -d 'The external id the role\'s trust policy requires' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l max-accounts -d 'How many accounts are read at once (1-100)' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l require-cmk -d 'Flag secrets encrypted with the AWS managed key instead of a customer managed one'
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l strict -d 'Exit 1 when anything could not be read (an account, a region, a lookup), even when findings would make it 3'
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l org -d 'Audit every ACTIVE account of the organization (run it where the accounts can be listed: the management account or a delegated administrator)'
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand audit" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand templates" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand templates" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand templates" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand templates" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand templates" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand templates" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand templates" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand templates" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand templates" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand completions" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand completions" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand completions" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand completions" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand completions" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand completions" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand completions" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand man" -l region -d 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile\'s]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand man" -l profile -d 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand man" -l endpoint-url -d 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]' -r
complete -c rotctl -n "__fish_rotctl_using_subcommand man" -s o -l output -d 'Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)' -r -f -a "table\t''
json\t''
sarif\t'SARIF 2.1.0, for code-scanning dashboards (audit only)'"
complete -c rotctl -n "__fish_rotctl_using_subcommand man" -l no-color -d 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand man" -s v -l verbose -d 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
complete -c rotctl -n "__fish_rotctl_using_subcommand man" -s y -l yes -d 'Answer yes to confirmations (needed when stdin is not a terminal)'
complete -c rotctl -n "__fish_rotctl_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotctl -n "__fish_rotctl_using_subcommand man" -s V -l version -d 'Print version'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "status" -d 'Show rotation configuration, versions and the derived rotation state'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "enable" -d 'Set up rotation for a secret: function, permission, network, schedule'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "rotate-now" -d 'Rotate a secret now, with its configured function and schedule'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "rollback" -d 'Make the previous version current again'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "disable" -d 'Turn rotation off and clear a pending rotation\'s label'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "schedule" -d 'Change the rotation schedule without rotating now'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "why" -d 'Say why a rotation failed: the step, the error, its cause and the fix'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "history" -d 'Say what happened to a secret: rotations, failures, manual puts, rollbacks'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "doctor" -d 'Check, before a rotation runs, everything it needs; exit 3 when one fails'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "audit" -d 'Check every secret of the region(s) against the rotation rules'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "templates" -d 'List the AWS rotation templates `enable --template` deploys'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "completions" -d 'Print the shell completion script for SHELL'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c rotctl -n "__fish_rotctl_using_subcommand help; and not __fish_seen_subcommand_from status enable rotate-now rollback disable schedule why history doctor audit templates completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
