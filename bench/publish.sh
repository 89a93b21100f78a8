#!/bin/sh
# make bench — publishing figures (issue 6):
#  1. rebuild time for 100 categories from a store of BENCH_ITEMS items (default 1,000,000):
#     a full rebuild and a one-category incremental one, after the first build wrote the archives;
#  2. wrk against the built-in server and nginx (one worker) serving the same ~208 KB feed in the
#     same run, plain and conditional (If-None-Match), with the ratios.
# Everything runs on 127.0.0.1 in a temporary folder; every server is stopped by its PID.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
bin=$root/tidings
bench=$root/build/default/bench_render
items=${BENCH_ITEMS:-1000000}
secs=${BENCH_SECONDS:-5}
cats=100
per=$((items / cats))
bench_workdir

{
	printf '[site]\ntitle = Bench\noutput = public\ndatabase = var/bench.db\nlisten = 127.0.0.1:0\n'
	printf 'items_per_feed = 50\nnew_items = 220\n'
	i=1
	while [ $i -le $cats ]; do
		printf '\n[category c%d]\ntitle = Category %d\n\n[source s%d]\n' $i $i $i
		printf 'url = http://127.0.0.1:9/s%d.rss\ntype = feed\ncategory = c%d\n' $i $i
		i=$((i + 1))
	done
} >bench.ini

echo "== rebuild: $cats categories, $items items"
t0=$(date +%s)
"$bench" gen bench.ini "$per"
t1=$(date +%s)
echo "store filled in $((t1 - t0)) s"
"$bench" time bench.ini >first.txt
t2=$(date +%s)
echo "first build (writes every archive page) in $((t2 - t1)) s"
"$bench" time bench.ini | tee rebuild.txt
full=$(awk '/^full_ms/ {print $2}' rebuild.txt)
one=$(awk '/^one_category_ms/ {print $2}' rebuild.txt)
echo "targets: full < 1000 ms ($full ms), one category < 50 ms ($one ms)"

echo "== serving new.atom ($(wc -c <public/new.atom) bytes): tidings vs nginx, wrk -t2 -c64 -d${secs}s"
"$bin" -c bench.ini serve 2>serve.log &
pids="$pids $!"
port=
for _ in $(seq 1 50); do
	port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' serve.log)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { echo "bench: tidings serve did not start" >&2; cat serve.log >&2; exit 1; }

nport=$((20000 + $$ % 20000))
start_nginx "$nport" 'application/atom+xml atom; application/rss+xml rss;' "root $work/public;"
for _ in $(seq 1 50); do
	curl -s -o /dev/null "http://127.0.0.1:$nport/new.atom" && break
	sleep 0.1
done

for url in "http://127.0.0.1:$port/new.atom" "http://127.0.0.1:$nport/new.atom"; do
	got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$url")
	[ "$got" = "200 $(wc -c <public/new.atom)" ] || { echo "bench: $url answered $got" >&2; exit 1; }
done

rps() { awk '/^Requests\/sec:/ {print $2}'; }
etag() { curl -sI "$1" | tr -d '\r' | awk 'tolower($1) == "etag:" {print $2}'; }
t_url=http://127.0.0.1:$port/new.atom
n_url=http://127.0.0.1:$nport/new.atom
t_tag=$(etag "$t_url")
n_tag=$(etag "$n_url")
t_plain=$(wrk -t2 -c64 -d"${secs}s" "$t_url" | rps)
n_plain=$(wrk -t2 -c64 -d"${secs}s" "$n_url" | rps)
t_cond=$(wrk -t2 -c64 -d"${secs}s" -H "If-None-Match: $t_tag" "$t_url" | rps)
n_cond=$(wrk -t2 -c64 -d"${secs}s" -H "If-None-Match: $n_tag" "$n_url" | rps)
echo "plain:       tidings $t_plain req/s, nginx $n_plain req/s, ratio $(echo "$t_plain $n_plain" | awk '{printf "%.2f", $1 / $2}')x (target 0.8x)"
echo "conditional: tidings $t_cond req/s, nginx $n_cond req/s, ratio $(echo "$t_cond $n_cond" | awk '{printf "%.2f", $1 / $2}')x (target 0.8x)"
