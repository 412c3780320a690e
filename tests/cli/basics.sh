# ivk's global options: --version, --help on every command, usage errors.
source "$(dirname "$0")/lib/assert.bash" "$@"

version=$(sed -n 's/^project(ivk VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
[ -n "$version" ] || fail "cannot read the project version from CMakeLists.txt"
run 0 --version
assert_eq "$OUT" "$version" "--version"

run 0 --help
for cmd in inputs payload workflow; do assert_contains "$OUT" "  $cmd " "--help"; done
assert_contains "$OUT" "IVK_TEMPLATES" "--help mentions the environment"
run 0 -h
for args in "inputs" "payload" "workflow" "workflow check" "workflow from-image" "workflow index-map" \
            "workflow index-map export" "workflow index-map verify"; do
  # shellcheck disable=SC2086
  run 0 $args --help
  assert_contains "$OUT" "Usage: ivk $args" "help of $args"
  # shellcheck disable=SC2086
  run 0 $args -h
done
run 0 payload --help
for opt in -s,--set --sweep --sweep-json --zip --runs --prepend --no-workflow --board-auto --graph-only \
           --graph-id --batch-id --origin --destination --compat --templates --pretty; do
  assert_contains "$OUT" "$opt" "payload --help"
done

run 2
assert_contains "$ERR" "subcommand" "stderr"
run 2 frobnicate
run 2 workflow frobnicate
run 2 inputs --frobnicate "$SDXL"
echo "ok"
