#!/bin/sh
# Differential test against Python feedparser (issue 3): generates the corpus of
# tests/diff/gen_corpus.py (300 feeds, fixed seed) into $T, runs tests/diff/compare.py over it and
# relays its PASS/FAIL lines ("every document parsed by both", "agreement >= 98% of documents").
# The per-field table goes to stdout as well; tests/diff/DISAGREEMENTS.md explains each class.
# Uses Debian's feedparser through /usr/bin/python3 (FEEDPARSER_PYTHON overrides).
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
: "${FEEDPARSER_PYTHON:=/usr/bin/python3}"
diff_dir=$TIDINGS_ROOT/tests/diff
if ! "$FEEDPARSER_PYTHON" -c 'import feedparser' 2>/dev/null; then
	fail "diff: feedparser" "$FEEDPARSER_PYTHON cannot import feedparser (python3-feedparser)"
	e2e_done
fi
if ! tmo 20 "$FEEDPARSER_PYTHON" "$diff_dir/gen_corpus.py" "$T/corpus" 300 >"$T/gen.out" 2>&1; then
	fail "diff: generate corpus" "$(head -c 600 "$T/gen.out" | tr '\n' '|')"
	e2e_done
fi
TIDINGS_BIN=$TIDINGS_BIN tmo 60 "$FEEDPARSER_PYTHON" "$diff_dir/compare.py" "$T/corpus" \
	--details "$T/details.tsv" >"$T/compare.out" 2>"$T/compare.err"
rc=$?
# The table and examples, indented so that only compare.py's verdicts start with PASS/FAIL.
grep -v '^PASS: \|^FAIL: ' "$T/compare.out" | sed 's/^/  /'
if [ "$rc" -ne 0 ]; then
	fail "diff: compare.py" "rc=$rc $(head -c 600 "$T/compare.out" "$T/compare.err" | tr '\n' '|')"
	e2e_done
fi
n=0
while IFS= read -r line; do
	case $line in
	'PASS: '*) pass "diff: ${line#PASS: }"; n=$((n + 1)) ;;
	'FAIL: '*) fail "diff" "${line#FAIL: }"; n=$((n + 1)) ;;
	esac
done <"$T/compare.out"
[ "$n" -eq 2 ] || fail "diff: compare.py" "expected 2 PASS/FAIL lines, got $n"
e2e_done
