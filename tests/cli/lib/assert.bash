# Helpers for the CLI tests (tests/cli/*.sh). Each test is run as
#   bash tests/cli/NAME.sh <path-to-ivk> <shared-dir> <source-dir>
# and sources this file. Assertions print what differed and exit 1.
set -euo pipefail

IVK=${1:?usage: NAME.sh IVK SHARED_DIR SOURCE_DIR}
SHARED=${2:?shared dir}
SRC=${3:?source dir}
FIX=$SHARED/fixtures
SDXL=$FIX/workflows/sdxl-text-to-image.json
FLUX=$FIX/workflows/flux-image-to-image.json
PNG=$FIX/images/8079126e-6cb0-4d47-956a-0eec6b71c600.png
OPENAPI=$SHARED/invokeai/openapi-v6.8.json
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
unset IVK_TEMPLATES

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# run EXPECTED_RC ARGS...: runs ivk, leaving stdout in $OUT and stderr in $ERR.
run() {
  local want=$1
  shift
  local rc=0
  "$IVK" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
  if [ "$rc" != "$want" ]; then
    echo "--- stdout:" >&2; head -c 2000 "$TMP/out" >&2; echo >&2
    echo "--- stderr:" >&2; cat "$TMP/err" >&2
    fail "ivk $* exited $rc, expected $want"
  fi
}

# run_stdin EXPECTED_RC FILE ARGS...: like run, with FILE on standard input.
run_stdin() {
  local want=$1 file=$2
  shift 2
  local rc=0
  "$IVK" "$@" <"$file" >"$TMP/out" 2>"$TMP/err" || rc=$?
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
  [ "$rc" = "$want" ] || fail "ivk $* <$file exited $rc, expected $want; stderr: $ERR"
}

assert_contains() {  # TEXT NEEDLE [WHAT]
  case "$1" in
    *"$2"*) ;;
    *) fail "${3:-output} does not contain '$2':
$1" ;;
  esac
}

assert_not_contains() {  # TEXT NEEDLE [WHAT]
  case "$1" in
    *"$2"*) fail "${3:-output} contains '$2':
$1" ;;
  esac
}

assert_eq() {  # ACTUAL EXPECTED [WHAT]
  [ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"
}

# json_assert PYTHON_CODE: runs PYTHON_CODE with `d` bound to the JSON in $OUT; the code uses
# `check(cond, message)` (or plain assert) for its assertions.
json_assert() {
  printf '%s' "$OUT" | python3 -c '
import json, sys
def check(cond, msg):
    if not cond:
        print("FAIL: " + msg, file=sys.stderr)
        sys.exit(1)
try:
    d = json.load(sys.stdin)
except Exception as e:
    print("FAIL: stdout is not JSON: %s" % e, file=sys.stderr)
    sys.exit(1)
'"$1" || fail "JSON assertion failed"
}
