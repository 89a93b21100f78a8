# Helpers shared by test_publish.sh and test_websub.sh (POSIX sh; sourced after lib.sh and
# e2e_init).
#
# PY3 is Debian's /usr/bin/python3 when it exists (python3-feedparser lives there, whatever
# python3 comes first in PATH), else $PYTHON.

PY3=/usr/bin/python3
[ -x "$PY3" ] || PY3=$PYTHON
export TIDINGS_BIN

# pc ARGS... : runs pub_check.py ARGS; each of its "PASS: name" / "FAIL: name: detail" lines
# becomes one check of the calling script (names hold no ": "), prefixed with $PC_LABEL when set.
# No line at all is a failure.
pc() {
	"$PY3" "$E2E_DIR/pub_check.py" "$@" >"$T/pc.out" 2>"$T/pc.err"
	_pcn=0
	while IFS= read -r _l; do
		case $_l in
		"PASS: "*) pass "${PC_LABEL:-}${_l#PASS: }" ;;
		"FAIL: "*)
			_r=${_l#FAIL: }
			fail "${PC_LABEL:-}${_r%%: *}" "${_r#*: }"
			;;
		*) continue ;;
		esac
		_pcn=$((_pcn + 1))
	done <"$T/pc.out"
	[ "$_pcn" -gt 0 ] || fail "pub_check $1" "no result; stderr: $(head -c 400 "$T/pc.err" | tr '\n' '|')"
}
