#!/bin/sh
# Golden files for `tidings parse`: every input in tests/data/parse/ has NAME.expected.json (the
# JSON it must print, compared as JSON) or NAME.expected.err (it must exit 1 with one stderr line
# containing that text).  Run from an empty folder, so no configuration is picked up.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
# Some 370 runs of the binary: more than the default minute under the sanitizers.
E2E_BUDGET=${E2E_BUDGET:-300}
e2e_init
cd "$T" || exit 1
dir=$TIDINGS_ROOT/tests/data/parse
for input in "$dir"/*; do
	case $input in *.expected.json | *.expected.err) continue ;; esac
	name=$(basename "$input")
	run_tidings "$T/out" parse "$input"
	expected_case "golden $name" "$input" "$T/out" || continue
	if diff=$("$PYTHON" - "$input.expected.json" "$T/out.out" <<'PY'
import json, sys
want = json.load(open(sys.argv[1], encoding="utf-8"))
got = json.load(open(sys.argv[2], encoding="utf-8"))
def walk(w, g, path):
    if isinstance(w, dict) and isinstance(g, dict):
        for k in sorted(set(w) | set(g)):
            walk(w.get(k, "<absent>"), g.get(k, "<absent>"), path + "." + k)
    elif isinstance(w, list) and isinstance(g, list) and len(w) == len(g):
        for i, (a, b) in enumerate(zip(w, g)):
            walk(a, b, "%s[%d]" % (path, i))
    elif w != g:
        print("%s: got %r, want %r" % (path, g, w))
        sys.exit(1)
walk(want, got, "")
PY
	); then
		pass "golden $name"
	else
		fail "golden $name" "$diff"
	fi
done
e2e_done
