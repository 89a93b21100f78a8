#!/bin/sh
# Polling benchmark (issue 5): tidings polls BENCH_FEEDS feeds (default 1,000 and 10,000) of about
# 200 KB served by nginx on 127.0.0.1, cold (empty store) and warm (every answer a 304), against
# newsboat (-x reload, reload-threads 16) on the first 1,000 and curl --parallel fetching the same
# URLs as the floor, all in the same run.  Prints wall time, CPU time and peak memory, and ratios.
# The first count's cold and warm passes, and newsboat's cold pass, run three times each (cold ones
# into fresh stores); the median run counts, as one run is at the mercy of the machine's neighbours.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
bin=$root/tidings
counts=${BENCH_FEEDS:-1000 10000}
bench_workdir

echo "== polling: generating 1,000 feeds of ~200 KB (62 items each)"
python3 "$root/bench/gen_feeds.py" feeds 1000
port=$((20000 + $$ % 20000))
# /f/<k>/<n>.xml is feed n: the same 1,000 files stand for 10,000 distinct URLs.
start_nginx "$port" 'application/rss+xml xml;' \
	"location ~ ^/f/\\d+/(\\d+\\.xml)\$ { alias $work/feeds/\$1; }"
for _ in $(seq 1 50); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/f/0/0.xml")" = 200 ] && break
	sleep 0.1
done

url() { echo "http://127.0.0.1:$port/f/$(($1 / 1000))/$(($1 % 1000)).xml"; }

# measure LABEL COMMAND...: runs it under GNU time (after a sync), prints one line, keeps "wall cpu
# rss".
measure() {
	label=$1
	shift
	sync # the previous step's writes are not flushed during this one
	/usr/bin/time -f '%e %U %S %M' -o time.out "$@" >cmd.out 2>&1 || {
		echo "bench: $label failed:" >&2
		tail -n 5 cmd.out >&2
		exit 1
	}
	read -r wall user sys rss <time.out
	cpu=$(echo "$user $sys" | awk '{printf "%.2f", $1 + $2}')
	printf '%-34s wall %7.2f s  cpu %7.2f s  peak %6.1f MB\n' "$label" "$wall" "$cpu" \
		"$(echo "$rss" | awk '{print $1 / 1024}')"
	echo "$wall $cpu $rss" >"$label.res"
}

# median LABEL : LABEL.1.res … LABEL.3.res, the runs of one measurement, give LABEL.res: the
# median run by wall time, with the highest peak memory of the three.
median() {
	rss=$(cat "$1".[123].res | awk '$3 > m { m = $3 } END { print m }')
	cat "$1".[123].res | sort -n | sed -n 2p | awk -v rss="$rss" '{ print $1, $2, rss }' >"$1.res"
	read -r wall cpu rss <"$1.res"
	printf '%-34s wall %7.2f s  cpu %7.2f s  peak %6.1f MB  (median of 3)\n' "$1" "$wall" "$cpu" \
		"$(echo "$rss" | awk '{print $1 / 1024}')"
}

# passes LABEL RUNS CONFIG : RUNS polls with CONFIG, whose @ becomes each run's number (a fresh
# store each) if it has one; one run is LABEL, three are LABEL.1 … LABEL.3 and their median LABEL.
passes() {
	if [ "$2" = 1 ]; then
		measure "$1" "$bin" -q -c "$(echo "$3" | sed s/@/1/)" poll --force
		return
	fi
	for k in $(seq 1 "$2"); do
		measure "$1.$k" "$bin" -q -c "$(echo "$3" | sed "s/@/$k/")" poll --force
	done
	median "$1"
}

first=$(echo "$counts" | awk '{print $1}')
for n in $counts; do
	runs=1
	[ "$n" = "$first" ] && runs=3
	{
		printf '[site]\ntitle = Poll bench\noutput = out%d.@\ndatabase = db%d.@/bench.db\nlisten =\n' "$n" "$n"
		printf 'concurrency = 16\nper_host = 16\ntimeout = 60s\n'
		c=0
		while [ $c -lt 10 ]; do printf '\n[category c%d]\n' $c; c=$((c + 1)); done
		i=0
		while [ $i -lt "$n" ]; do
			printf '\n[source s%d]\nurl = %s\ncategory = c%d\nallow_private = yes\n' $i "$(url $i)" $((i % 10))
			i=$((i + 1))
		done
	} >"poll$n.tmpl"
	echo "== $n feeds"
	for k in $(seq 1 $runs); do
		sed "s/@/$k/" "poll$n.tmpl" >"poll$n.$k.ini" # a fresh store and output folder for each
	done
	passes "tidings-cold-$n" "$runs" "poll$n.@.ini"
	passes "tidings-warm-$n" "$runs" "poll$n.$runs.ini"
done

i=0
: >urls
: >curl.cfg
while [ $i -lt "$first" ]; do
	u=$(url $i)
	echo "$u" >>urls
	printf 'url = "%s"\noutput = "/dev/null"\n' "$u" >>curl.cfg
	i=$((i + 1))
done
echo "== curl --parallel (16 at once), $first feeds: the floor"
measure "curl-cold-$first" curl -s --parallel --parallel-max 16 -K curl.cfg
# Every file is older than now, so If-Modified-Since: now makes each answer a 304.
measure "curl-warm-$first" curl -s --parallel --parallel-max 16 -z "$(date -u '+%a, %d %b %Y %H:%M:%S GMT')" -K curl.cfg
echo "== newsboat -x reload, reload-threads 16, $first feeds"
printf 'reload-threads 16\n' >newsboat.conf
for k in 1 2 3; do
	measure "newsboat-cold-$first.$k" newsboat -u urls -c "newsboat$k.db" -C newsboat.conf -x reload
done
median "newsboat-cold-$first"
measure "newsboat-warm-$first" newsboat -u urls -c newsboat3.db -C newsboat.conf -x reload

wall() { awk '{print $1}' "$1.res"; }
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.1f", $1 / $2; else print "inf" }'; }
echo "== ratios ($first feeds)"
echo "cold: newsboat / tidings = $(ratio "$(wall "newsboat-cold-$first")" "$(wall "tidings-cold-$first")")x (target >= 20x)"
echo "warm: tidings / curl     = $(ratio "$(wall "tidings-warm-$first")" "$(wall "curl-warm-$first")")x (target <= 3x)"
echo "warm: newsboat / tidings = $(ratio "$(wall "newsboat-warm-$first")" "$(wall "tidings-warm-$first")")x"
last=$(echo "$counts" | awk '{print $NF}')
echo "peak memory at $last feeds: $(awk '{printf "%.1f", $3 / 1024}' "tidings-cold-$last.res") MB cold (target < 64 MB)"
