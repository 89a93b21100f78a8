#!/bin/sh
# Test runner: every unit test program, then every end-to-end script.  Counts each cmocka test
# and each PASS/FAIL line of the scripts, and ends with one line "N passed, N failed".
#   TIDINGS_BIN    the binary under test (default build/default/tidings)
#   TIDINGS_UNITS  the unit test programs (default: build/default/tests/test_*)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
bin=${TIDINGS_BIN:-build/default/tidings}
case $bin in /*) ;; *) bin=$root/$bin ;; esac
units=${TIDINGS_UNITS:-$(ls build/default/tests/test_* 2>/dev/null)}
export TIDINGS_BIN="$bin" TIDINGS_ROOT="$root"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1}

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in $units; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	"$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or a sanitizer stopped it
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL: unit $name ($p passed, $f failed)"
		sed 's/^/    /' "$log"
	else
		echo "ok:   unit $name ($p tests)"
	fi
done

for t in tests/e2e/test_*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	start=$(date +%s)
	sh "$t" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL: $name exited with status $rc" >>"$log"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	secs=$(($(date +%s) - start))
	if [ "$f" -ne 0 ]; then
		echo "FAIL: e2e $name ($p passed, $f failed, ${secs}s)"
		sed 's/^/    /' "$log"
	else
		echo "ok:   e2e $name ($p checks, ${secs}s)"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
