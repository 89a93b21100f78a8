# Shared by the benchmark scripts (POSIX sh; sourced).  The caller sets $work (its temporary
# folder) and keeps the PIDs to stop in $pids.

# bench_workdir : a temporary folder $work (readable by nginx's workers) to cd into, removed at
# exit together with every server whose PID is in $pids.
bench_workdir() {
	work=$(mktemp -d)
	chmod 755 "$work" # nginx workers run as an unprivileged user
	pids=
	trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT INT TERM
	cd "$work"
}

# start_nginx PORT TYPES SERVER : one nginx worker on 127.0.0.1:PORT, everything under
# $work/nginx; TYPES is the inside of a types {} block, SERVER the inside of the server {} block
# after its listen line.  Adds the PID to $pids.
start_nginx() {
	mkdir -p "$work/nginx/tmp"
	cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $work/nginx/tmp;
	proxy_temp_path $work/nginx/tmp;
	fastcgi_temp_path $work/nginx/tmp;
	uwsgi_temp_path $work/nginx/tmp;
	scgi_temp_path $work/nginx/tmp;
	types { $2 }
	sendfile on;
	keepalive_requests 1000000;
	server { listen 127.0.0.1:$1; $3 }
}
CONF
	nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
	pids="$pids $!"
}
