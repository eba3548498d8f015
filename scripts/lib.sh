# Shared by scripts/*: the emulator's Python environment, and starting it.
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
