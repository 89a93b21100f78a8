#!/bin/sh
# Parse benchmark (issue 3): one feed of about BENCH_BIG_MB (default 50) MB, parsed by tidings,
# sfeed and Python feedparser (python3-feedparser), with xmllint --stream as a reference, then a
# corpus of BENCH_CORPUS (default 200) feeds of ~200 KB, each tool reading all of them in one
# process (`tidings parse FILE...`, which reads them on one thread per CPU and prints each as
# JSON); wall time, CPU time, peak memory and ratios, in the same run.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/tidings
mb=${BENCH_BIG_MB:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"
python3 "$root/bench/gen_feeds.py" --big big.xml "$mb"
printf '[site]\nmax_size = 1G\n' >big.ini
sync # the generated files are written back before, not during, the timed runs
echo "== parsing one feed of $(($(wc -c <big.xml) / 1048576)) MB ($(grep -c '<item>' big.xml) items)"
# run LABEL COMMAND...: three runs under GNU time; prints and keeps the median run's wall and CPU
# time and the highest peak memory (one run on a shared machine is at the mercy of its neighbours).
run() {
	label=$1
	shift
	: >runs.out
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %U %S %M' -o t.out "$@" >/dev/null 2>err.out || { echo "bench: $label failed" >&2; cat err.out >&2; exit 1; }
		cat t.out >>runs.out
	done
	rss=$(awk '$4 > m { m = $4 } END { print m }' runs.out)
	sort -n runs.out | sed -n 2p >t.out
	read -r wall user sys _ <t.out
	printf '%-22s wall %7.2f s  cpu %7.2f s  peak %7.1f MB  (median of 3)\n' "$label" "$wall" \
		"$(echo "$user $sys" | awk '{print $1 + $2}')" "$(echo "$rss" | awk '{print $1 / 1024}')"
	echo "$wall $rss" >"$label.res"
}
run tidings "$bin" -c big.ini parse big.xml
run sfeed sh -c 'sfeed < big.xml'
run xmllint-stream xmllint --stream --noout big.xml
run feedparser /usr/bin/python3 -c 'import feedparser, sys; feedparser.parse(sys.argv[1])' big.xml
w() { awk '{print $1}' "$1.res"; }
echo "tidings vs sfeed:      $(echo "$(w sfeed) $(w tidings)" | awk '{printf "%.2f", $1 / $2}')x sfeed's speed (target >= 1)"
echo "tidings vs feedparser: $(echo "$(w feedparser) $(w tidings)" | awk '{printf "%.1f", $1 / $2}')x faster (target >= 50)"
echo "tidings peak memory:   $(awk '{printf "%.0f", $2 / 1024}' tidings.res) MB for a $(($(wc -c <big.xml) / 1048576)) MB document (target <= 2x + 16 MB)"

n=${BENCH_CORPUS:-200}
python3 "$root/bench/gen_feeds.py" corpus "$n"
sync
echo "== parsing a corpus of $n feeds in one process ($(($(cat corpus/*.xml | wc -c) / 1048576)) MB, $(cat corpus/*.xml | grep -c '<item>') items)"
run tidings-corpus "$bin" -c big.ini parse corpus/*.xml
run sfeed-corpus sh -c 'cat corpus/*.xml | sfeed'
run feedparser-corpus /usr/bin/python3 -c 'import feedparser, sys
for f in sys.argv[1:]: feedparser.parse(f)' corpus/*.xml
echo "corpus, tidings vs sfeed:      $(echo "$(w sfeed-corpus) $(w tidings-corpus)" | awk '{printf "%.2f", $1 / $2}')x sfeed's speed (target >= 1)"
echo "corpus, tidings vs feedparser: $(echo "$(w feedparser-corpus) $(w tidings-corpus)" | awk '{printf "%.1f", $1 / $2}')x faster (target >= 50)"
