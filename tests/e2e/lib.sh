# Shared helpers for the end-to-end tests (POSIX sh; sourced, not run).
#
# A test script does:
#     . "$TIDINGS_ROOT/tests/e2e/lib.sh"
#     e2e_init                 # checks the environment, makes $T (temp folder), sets the trap
#     ... checks calling pass/fail ...
#     e2e_done                 # exits 1 if any check failed, else 0
#
# Environment: TIDINGS_BIN (path of the binary; default build/default/tidings), TIDINGS_ROOT
# (repo root; default the current directory, where the tests are run from),
# optional PYTHON (default python3), E2E_KEEP=1 to keep the temp folder, E2E_BUDGET (seconds,
# default 60) to cap the binary's total run time in one test (see run_tidings).
# Every wait is bounded; every background process is started through a helper that records its
# PID, and the exit trap stops each of them by PID.

E2E_FAILED=0
E2E_PASSED=0
E2E_PIDS=
T=
: "${PYTHON:=python3}"
E2E_DIR=${TIDINGS_ROOT:-.}/tests/e2e

pass() {
	E2E_PASSED=$((E2E_PASSED + 1))
	printf 'PASS: %s\n' "$1"
}

# fail NAME DETAIL...
fail() {
	E2E_FAILED=$((E2E_FAILED + 1))
	_n=$1
	shift
	printf 'FAIL: %s: %s\n' "$_n" "$*"
}

# check NAME DETAIL COMMAND... : pass when COMMAND succeeds, else fail with DETAIL.
check() {
	_cn=$1
	_cd=$2
	shift 2
	if "$@"; then pass "$_cn"; else fail "$_cn" "$_cd"; fi
}

# Stop a process by PID: SIGTERM, a bounded wait, then SIGKILL.
e2e_stop_pid() {
	kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" 2>/dev/null
	_i=0
	while [ $_i -lt 30 ] && e2e_alive "$1"; do
		sleep 0.1
		_i=$((_i + 1))
	done
	e2e_alive "$1" && kill -KILL "$1" 2>/dev/null
	return 0
}

# True while PID runs (a zombie not yet reaped counts as gone).
e2e_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		_st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
		[ "$_st" = Z ] && return 1
	fi
	return 0
}

e2e_cleanup() {
	for _p in $E2E_PIDS; do e2e_stop_pid "$_p"; done
	E2E_PIDS=
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${E2E_KEEP:-}" = 1 ]; then
			echo "note: kept $T" >&2
		else
			rm -rf "$T"
		fi
	fi
}

e2e_init() {
	: "${TIDINGS_ROOT:=$(pwd)}"
	: "${TIDINGS_BIN:=$TIDINGS_ROOT/build/default/tidings}"
	case $TIDINGS_BIN in /*) ;; *) TIDINGS_BIN=$(pwd)/$TIDINGS_BIN ;; esac
	case $TIDINGS_ROOT in /*) ;; *) TIDINGS_ROOT=$(cd "$TIDINGS_ROOT" && pwd) ;; esac
	E2E_DIR=$TIDINGS_ROOT/tests/e2e
	if [ ! -x "$TIDINGS_BIN" ]; then
		echo "FAIL: setup: TIDINGS_BIN=$TIDINGS_BIN is not an executable file"
		exit 1
	fi
	E2E_DEADLINE=$(($(date +%s) + ${E2E_BUDGET:-60}))
	T=$(mktemp -d "${TMPDIR:-/tmp}/tidings-e2e.XXXXXX") || exit 1
	trap 'e2e_cleanup' EXIT
	trap 'e2e_cleanup; exit 130' INT
	trap 'e2e_cleanup; exit 143' TERM
	# Keep the binary from finding anything of the caller's (config, proxies).
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
	NO_PROXY='*'
	no_proxy='*'
	export NO_PROXY no_proxy
}

e2e_done() {
	[ "$E2E_FAILED" -eq 0 ] && exit 0
	exit 1
}

# Run a command with a time limit (seconds) when coreutils timeout exists.
tmo() {
	_t=$1
	shift
	if command -v timeout >/dev/null 2>&1; then
		timeout -k 2 "$_t" "$@"
	else
		"$@"
	fi
}

# run_tidings PREFIX ARGS... : runs the binary, stdout to PREFIX.out, stderr to PREFIX.err, exit
# status in $RC.  Each run gets at most 10 s and never more than what is left of the test's
# budget (E2E_BUDGET seconds, default 60, counted from e2e_init), so a hanging binary cannot make
# a test run for minutes: once the budget is spent every further run fails at once (RC=124).
run_tidings() {
	_pre=$1
	shift
	_left=$((E2E_DEADLINE - $(date +%s)))
	if [ "$_left" -le 0 ]; then
		: >"$_pre.out"
		echo "e2e: not run, the test's time budget (${E2E_BUDGET:-60}s) is spent" >"$_pre.err"
		RC=124
		return
	fi
	[ "$_left" -gt 10 ] && _left=10
	tmo "$_left" "$TIDINGS_BIN" "$@" >"$_pre.out" 2>"$_pre.err"
	RC=$?
}

# Short description of a run for failure messages: "rc=N stderr: first lines".
describe() {
	printf 'rc=%s stderr: %s' "$RC" "$(head -c 600 "$1.err" 2>/dev/null | tr '\n' '|')"
}

# wait_for TRIES COMMAND... : retries COMMAND every 0.1 s, at most TRIES times.
wait_for() {
	_tries=$1
	shift
	_i=0
	while [ $_i -lt "$_tries" ]; do
		"$@" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

wait_for_file() { wait_for "${2:-50}" test -s "$1"; }

_grep_q() { grep -q -- "$1" "$2" 2>/dev/null; }
wait_for_grep() { wait_for "${3:-50}" _grep_q "$1" "$2"; }

# wait_exit PID TRIES : true once PID has ended (bounded).
wait_exit() {
	_i=0
	while [ $_i -lt "$2" ]; do
		e2e_alive "$1" || return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# start_fixture NAME ROOT RULES : starts the fixture server; sets FX_PORT, FX_PID and FX_LOG
# ($T/NAME.log).  Returns 1 if the port file does not appear within 5 s.
start_fixture() {
	_name=$1
	FX_LOG=$T/$1.log
	: >"$FX_LOG"
	[ -f "$3" ] || echo '{}' >"$3"
	rm -f "$T/$_name.port"
	"$PYTHON" "$E2E_DIR/fixture_server.py" --root "$2" --rules "$3" --log "$FX_LOG" \
		--port-file "$T/$_name.port" 2>"$T/$_name.stderr" &
	FX_PID=$!
	E2E_PIDS="$E2E_PIDS $FX_PID"
	if ! wait_for_file "$T/$_name.port" 50; then
		echo "fixture $_name did not start: $(cat "$T/$_name.stderr")" >&2
		return 1
	fi
	FX_PORT=$(cat "$T/$_name.port")
	return 0
}

# set_rules FILE JSON : atomically replaces a rules file.
set_rules() {
	printf '%s\n' "$2" >"$1.tmp" && mv "$1.tmp" "$1"
}

# start_daemon PREFIX ARGS... : starts "$TIDINGS_BIN ARGS..." in the background with stdout to
# PREFIX.out and stderr to PREFIX.err.  Sets DAEMON_PID (the binary's own PID); when it ends its
# exit status lands in PREFIX.rc.
start_daemon() {
	_pre=$1
	shift
	rm -f "$_pre.pid" "$_pre.rc"
	(
		"$TIDINGS_BIN" "$@" >"$_pre.out" 2>"$_pre.err" &
		echo $! >"$_pre.pid"
		wait $!
		echo $? >"$_pre.rc"
	) 2>/dev/null &
	_wrap=$!
	E2E_PIDS="$E2E_PIDS $_wrap"
	wait_for_file "$_pre.pid" 50 || return 1
	DAEMON_PID=$(cat "$_pre.pid")
	E2E_PIDS="$DAEMON_PID $E2E_PIDS"
	return 0
}

# wait_listening PREFIX TRIES : waits for "listening on http://127.0.0.1:PORT/" in PREFIX.err;
# sets LISTEN_PORT.
wait_listening() {
	wait_for "${2:-100}" _grep_q 'listening on http://127\.0\.0\.1:[0-9][0-9]*/' "$1.err" || return 1
	LISTEN_PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$1.err" | head -n 1)
	[ -n "$LISTEN_PORT" ]
}

# snapshot DIR : one line per file: name, inode, mtime (ns when stat supports it), checksum.
# Fails (printing nothing) when DIR is missing or holds no file.
snapshot() {
	[ -d "$1" ] || return 1
	(cd "$1" && for f in *; do
		[ -f "$f" ] || continue
		printf '%s %s %s\n' "$f" "$(stat -c '%i %.9Y' "$f" 2>/dev/null || stat -c '%i %Y' "$f")" \
			"$(cksum <"$f" | tr -s ' ' ' ')"
	done)
}

# http PREFIX CURL-ARGS... : curl with a 5 s limit; headers to PREFIX.h (CR stripped), body to
# PREFIX.b; sets HTTP_CODE ("000" when the connection failed).
http() {
	_pre=$1
	shift
	rm -f "$_pre.b" "$_pre.hraw"
	HTTP_CODE=$(curl -s -m 5 -D "$_pre.hraw" -o "$_pre.b" -w '%{http_code}' "$@" 2>/dev/null)
	[ -n "$HTTP_CODE" ] || HTTP_CODE=000
	[ -f "$_pre.b" ] || : >"$_pre.b"
	tr -d '\r' <"$_pre.hraw" >"$_pre.h" 2>/dev/null || : >"$_pre.h"
}

# header PREFIX NAME : value of a response header (last response, case-insensitive name).
header() {
	awk -v n="$2" 'BEGIN { n = tolower(n) }
		/^HTTP\// { delete v; next }
		{ i = index($0, ":"); if (i == 0) next
		  k = tolower(substr($0, 1, i - 1)); if (k != n) next
		  s = substr($0, i + 1); sub(/^[ \t]+/, "", s); v[k] = s }
		END { if (n in v) print v[n] }' "$1.h"
}

# fc ARGS... : runs feedcheck.py (see its header for the subcommands).
fc() { "$PYTHON" "$E2E_DIR/feedcheck.py" "$@"; }

# has_title FILE TITLE : FILE (a feed) holds an item whose normalised title is TITLE.
has_title() { fc titles "$1" 2>/dev/null | grep -Fxq -- "$2"; }

# rfc822 EPOCH : the date as RSS writes it (GMT).
rfc822() { LC_ALL=C date -u -d "@$1" '+%a, %d %b %Y %H:%M:%S GMT'; }

# write_rss FILE PREFIX N... : RSS 2.0 with items "PREFIX item N" (guid PREFIX-N), dated from $now
# (seconds; the test sets it) a day ago plus N times ten minutes; a <ttl> when $TTL is set.
# site_conf TITLE DIR [SITE-LINES...] : $T/DIR/conf.ini holding a [site] section for a poll
# test (output and database in $T/DIR, no server, 1m interval, 5s timeout) plus SITE-LINES; sets
# CONF and D.
site_conf() {
	_title=$1
	D=$T/$2
	shift 2
	mkdir -p "$D"
	CONF=$D/conf.ini
	{
		printf '[site]\ntitle = %s\nlink = http://127.0.0.1:9/\noutput = %s/public\n' "$_title" "$D"
		printf 'database = %s/var/t.db\nlisten =\npoll_interval = 1m\ntimeout = 5s\n' "$D"
		for _l in "$@"; do echo "$_l"; done
	} >"$CONF"
}

write_rss() {
	_f=$1
	_p=$2
	shift 2
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<rss version=\"2.0\"><channel><title>$_p feed</title>"
		echo "<link>https://example.org/$_p/</link><description>e2e $_p</description>${TTL:+<ttl>$TTL</ttl>}"
		for _n in "$@"; do
			echo "<item><title>$_p item $_n</title><link>https://example.org/$_p/$_n</link>"
			echo "<guid isPermaLink=\"false\">$_p-$_n</guid><pubDate>$(rfc822 $((now - 86400 + _n * 600)))</pubDate>"
			echo "<description>Body of $_p item $_n.</description></item>"
		done
		echo '</channel></rss>'
	} >"$_f"
}

# rule PATH JSON : sets (replaces) the fixture rule for PATH in the rules file $RULES, atomically.
rule() {
	"$PYTHON" - "$RULES" "$1" "$2" <<'EOF'
import json, os, sys
f, path, val = sys.argv[1:4]
with open(f) as fh:
    d = json.load(fh)
d[path] = json.loads(val)
with open(f + ".tmp", "w") as fh:
    json.dump(d, fh)
os.rename(f + ".tmp", f)
EOF
}

# expected_case LABEL INPUT OUT: after `run_tidings OUT parse INPUT`, settles a case that must be
# refused (INPUT.expected.err: exit 1 and one stderr line holding its text), one without an
# expectation, and a run that failed; returns 0 only when INPUT.expected.json waits to be
# compared with OUT.out.
expected_case() {
	if [ -f "$2.expected.err" ]; then
		want=$(cat "$2.expected.err")
		lines=$(wc -l <"$3.err")
		if [ "$RC" -eq 1 ] && [ "$lines" -eq 1 ] && grep -qF -- "$want" "$3.err"; then
			pass "$1: refused with '$want'"
		else
			fail "$1: refused with '$want'" "$(describe "$3") stdout: $(head -c 300 "$3.out" | tr '\n' ' ')"
		fi
		return 1
	fi
	if [ ! -f "$2.expected.json" ]; then
		fail "$1" "no $(basename "$2").expected.json or .expected.err"
		return 1
	fi
	if [ "$RC" -ne 0 ]; then
		fail "$1" "$(describe "$3")"
		return 1
	fi
	return 0
}
