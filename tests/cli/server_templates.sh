# Server commands type inputs from the server's own GET /openapi.json, without --templates: a value
# out of its node's range is refused before anything is enqueued; the document is cached per server
# version and URL and read back from the cache; a corrupt cache is refetched; --templates and
# IVK_TEMPLATES still win; a server without the document changes nothing.
source "$(dirname "$0")/lib/assert.bash" "$@"
source "$(dirname "$0")/lib/emulator.bash"
export XDG_CACHE_HOME=$TMP/cache
CACHE=$XDG_CACHE_HOME/ivk
WF=$SRC/examples/workflows/sdxl-text-to-image.json

queue_total() {  # URL
  curl -s "$1/api/v1/queue/default/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue"]["total"])'
}

start_emulator typed --openapi "$OPENAPI"
S=$URL
run 0 models list --server "$S" --base sdxl --type main --json
KEY=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["key"])')

# No --templates: the server's document says a seed is >= 0, so ivk refuses -1 and enqueues nothing.
run 3 models bench "$WF" --server "$S" --models "$KEY" -s Seed=-1
assert_contains "$ERR" "input 4 'Seed' (noise:main.seed): must be >= 0, got -1"
assert_eq "$(queue_total "$S")" "0" "queue items after a refused value"

# The document is cached under the server's version and a hash of its URL, byte for byte.
files=$(cd "$CACHE" && ls)
case "$files" in
  openapi-6.8.0-????????????????.json) ;;
  *) fail "cache folder holds '$files', expected one openapi-6.8.0-<hash>.json" ;;
esac
cmp -s "$CACHE/$files" "$OPENAPI" || fail "the cached document differs from the server's"

# The next command reads the cache instead of the server: a cached document whose seeds stop at 10
# refuses 20, which the server's own document allows.
python3 - "$CACHE/$files" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["components"]["schemas"]["NoiseInvocation"]["properties"]["seed"]["maximum"] = 10
json.dump(doc, open(path, "w"))
PY
run 3 models bench "$WF" --server "$S" --models "$KEY" -s Seed=20
assert_contains "$ERR" "must be <= 10, got 20"
assert_eq "$(queue_total "$S")" "0" "queue items after a value the cache refuses"

# --templates wins over the server's (here: cached) document, and IVK_TEMPLATES does too.
run 0 models bench "$WF" --server "$S" --models "$KEY" -s Seed=20 -s Width=64 -s Height=64 --templates "$OPENAPI"
assert_contains "$ERR" ": completed in "
IVK_TEMPLATES=$OPENAPI run 0 models bench "$WF" --server "$S" --models "$KEY" -s Seed=20 -s Width=64 -s Height=64
assert_eq "$(queue_total "$S")" "2" "queue items after the two runs with --templates / IVK_TEMPLATES"

# A corrupt cache file is not trusted: the document is fetched again and the file replaced.
head -c 1000 "$OPENAPI" >"$CACHE/$files"
run 3 models bench "$WF" --server "$S" --models "$KEY" -s Seed=-1
assert_contains "$ERR" "must be >= 0, got -1"
cmp -s "$CACHE/$files" "$OPENAPI" || fail "the corrupt cache file was not replaced by the server's document"

# models check against the server: typed from the same templates (the model input is required).
run 1 models check "$WF" --server "$S" --json
json_assert 'check(d["requirements"][0]["bases"] == ["sdxl"] and d["requirements"][0]["types"] == ["main"], "slot %r" % d["requirements"])'

# A server without the document: no templates, no cache file, and today's behaviour (the value goes
# to the server, which runs it).
start_emulator plain
P=$URL
run 0 models list --server "$P" --base sdxl --type main --json
PKEY=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["key"])')
run 0 models bench "$WF" --server "$P" --models "$PKEY" -s Seed=-1 -s Width=64 -s Height=64
assert_not_contains "$ERR" "warning"
assert_eq "$(queue_total "$P")" "1" "queue items on the server without a document"
assert_eq "$(cd "$CACHE" && ls | wc -l)" "1" "cache files after a server without a document"
echo "ok"
