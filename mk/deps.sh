#!/bin/sh
# Dependency step shared by `make run`, `make test` and `make bench`.
# Checks the libraries (through pkg-config) and tools the build and tests need.  When something
# is missing on Debian or Ubuntu it installs the packages with apt-get (as root, or through
# sudo); elsewhere it prints the package names and fails.
set -u

# pkg-config module, command, Python module or fuzzer:clang | Debian package(s), comma-separated
need='
pkg:libxml-2.0|libxml2-dev
pkg:libcurl|libcurl4-openssl-dev
pkg:sqlite3|libsqlite3-dev
pkg:libmicrohttpd|libmicrohttpd-dev
pkg:libutf8proc|libutf8proc-dev
pkg:libcrypto|libssl-dev
pkg:zlib|zlib1g-dev
pkg:jansson|libjansson-dev
pkg:cmocka|libcmocka-dev
cmd:pkg-config|pkg-config
cmd:cc|gcc
cmd:xmllint|libxml2-utils
cmd:curl|curl
cmd:python3|python3
py:feedparser|python3-feedparser
cmd:newsboat|newsboat
cmd:xsltproc|xsltproc
'
for extra in "$@"; do need="$need
$extra"; done

missing=
for line in $need; do
	what=${line%%|*}
	pkg=${line#*|}
	case $what in
	pkg:*) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "${what#pkg:}" && continue ;;
	cmd:*) command -v "${what#cmd:}" >/dev/null 2>&1 && continue ;;
	py:*) /usr/bin/python3 -c "import ${what#py:}" >/dev/null 2>&1 && continue ;;
	fuzzer:*) # clang can link a libFuzzer target
		command -v clang >/dev/null 2>&1 &&
			printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
			clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1 && continue ;;
	esac
	for p in $(echo "$pkg" | tr ',' ' '); do
		case " $missing " in *" $p "*) ;; *) missing="$missing $p" ;; esac
	done
done
[ -z "$missing" ] && exit 0

if [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		sudo=
	elif command -v sudo >/dev/null 2>&1; then
		sudo=sudo
	else
		echo "deps: missing packages:$missing (run as root or install sudo)" >&2
		exit 1
	fi
	echo "deps: installing$missing" >&2
	$sudo apt-get update -qq >&2 || true
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >&2 || {
		echo "deps: apt-get install failed for:$missing" >&2
		exit 1
	}
	exit 0
fi
echo "deps: missing packages (Debian names):$missing" >&2
echo "deps: install them with your system's package manager and run make again" >&2
exit 1
