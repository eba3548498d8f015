# Shared by scripts/*: the emulator's Python environment, starting it, and the SARIF validator.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

require() {
  command -v "$1" >/dev/null 2>&1 || { echo "rotctl scripts: $1 is required ($2)" >&2; exit 1; }
}

# Creates .venv with the pinned emulator, or refreshes it when
# tests/emulator/requirements.txt has changed since it was made.
ensure_emulator() {
  require python3 "Python 3.11 or newer, for the AWS emulator"
  local requirements="$ROOT/tests/emulator/requirements.txt"
  local stamp="$VENV/.rotctl-requirements"
  if [ -x "$VENV/bin/python" ] && cmp -s "$requirements" "$stamp"; then
    return
  fi
  say "installing the AWS emulator (moto, pinned) into .venv"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
}

# Starts the emulator on a free loopback port and exports AWS_ENDPOINT_URL.
# It stops when this shell exits (it runs until its stdin, fd 9 here, closes).
start_emulator() {
  local dir
  dir=$(mktemp -d)
  mkfifo "$dir/stdin"
  "$VENV/bin/python" "$ROOT/tests/emulator/server.py" --log "$dir/requests.log" \
    <"$dir/stdin" >"$dir/ready" 2>"$dir/stderr" &
  exec 9>"$dir/stdin"
  local tries=0
  until grep -q '^READY ' "$dir/ready" 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -gt 200 ]; then
      echo "the emulator did not start; see $dir/stderr" >&2
      cat "$dir/stderr" >&2
      exit 1
    fi
    sleep 0.05
  done
  AWS_ENDPOINT_URL="http://127.0.0.1:$(awk '/^READY/ {print $2}' "$dir/ready")"
  export AWS_ENDPOINT_URL
  # Dummy credentials: the emulator accepts any; nothing here reaches AWS.
  export AWS_ACCESS_KEY_ID=AKIADEMO000000000000 AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
  export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  export AWS_DEFAULT_REGION=us-east-1
  unset AWS_PROFILE
  EMULATOR_LOG_DIR=$dir
}

# Installs Microsoft's SARIF validator (npm @microsoft/sarif-multitool, pinned with
# its platform binary by tests/sarif-validator/package-lock.json) into
# .tools/sarif-multitool, or refreshes it when that lock file has changed; then
# exports the platform binary's path as ROTCTL_SARIF_MULTITOOL and prints it.
# tests/it/sarif.rs validates `audit -o sarif` with it, and skips when the
# variable is unset: without npm this says so on one line and returns.
ensure_sarif_validator() {
  if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "rotctl scripts: npm or node not found: the SARIF validator test (tests/it/sarif.rs) will be skipped" >&2
    return 0
  fi
  local spec="$ROOT/tests/sarif-validator"
  local dir="$ROOT/.tools/sarif-multitool"
  local stamp="$dir/.rotctl-package-lock"
  if [ ! -d "$dir/node_modules" ] || ! cmp -s "$spec/package-lock.json" "$stamp"; then
    say "installing the SARIF validator (@microsoft/sarif-multitool, pinned) into .tools"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$spec/package.json" "$spec/package-lock.json" "$dir/"
    # npm ci installs exactly the lock file (the wrapper and, through its optional
    # dependencies, this platform's binary), checked against its integrity hashes.
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
    cp "$spec/package-lock.json" "$stamp"
  fi
  # The package's index.js names this platform's binary. Run it directly: the
  # npm bin wrapper passes its arguments through a shell.
  ROTCTL_SARIF_MULTITOOL=$(cd "$dir" && node -p "require('@microsoft/sarif-multitool')")
  export ROTCTL_SARIF_MULTITOOL
  echo "$ROTCTL_SARIF_MULTITOOL"
}
