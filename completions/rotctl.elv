
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
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts'
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
            cand completions 'Print the shell completion script for SHELL'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rotctl;status'= {
            cand --name-prefix 'Every secret whose name starts with PREFIX (implies --all)'
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts'
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
        &'rotctl;completions'= {
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;man'= {
            cand --region 'AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile''s]'
            cand --profile 'Named profile from the AWS config files (SSO, assume-role and credential_process profiles work) [default: AWS_PROFILE]'
            cand --endpoint-url 'One endpoint for every AWS service, e.g. a local emulator or a VPC endpoint [default: AWS_ENDPOINT_URL]'
            cand -o 'Output format: a table for people, JSON (AWS field names) for scripts'
            cand --output 'Output format: a table for people, JSON (AWS field names) for scripts'
            cand --no-color 'Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)'
            cand -v 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand --verbose 'Print one line per AWS call to stderr (service, operation, status, time); repeatable'
            cand -y 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (needed when stdin is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotctl;help'= {
            cand status 'Show rotation configuration, versions and the derived rotation state'
            cand completions 'Print the shell completion script for SHELL'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rotctl;help;status'= {
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
