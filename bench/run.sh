#!/bin/sh
# make bench: every benchmark, one after the other.
#   BENCH_ITEMS    store size for the rebuild benchmark (default 1,000,000)
#   BENCH_FEEDS    feed counts for the polling benchmark (default "1000 10000")
#   BENCH_SECONDS  length of each wrk run (default 5)
#   BENCH_BIG_MB   size of the feed for the parse benchmark (default 50)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/parse.sh"
sh "$here/poll.sh"
sh "$here/publish.sh"
