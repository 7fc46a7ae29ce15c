# tests/http/_nginx.sh: serve a folder with a private nginx on 127.0.0.1.
# Source after common.sh.  nginx runs as a non-daemon child with its own
# prefix, config, logs and pid under $TEST_TMP/nginx*, and is stopped by an
# EXIT trap.  The config is the one docs/MIRROR.md recommends: every file
# is application/octet-stream, no index, no autoindex.
#
#   nginx_start DOCROOT [ssl CERT KEY]   sets NGINX_PORT, NGINX_URL (root),
#                                        NGINX_LOG (access log)
#   nginx_stop
#   nginx_log_paths                      request paths served (status 2xx)
#   free_port                            an unused TCP port on 127.0.0.1
# Clients must not go through a proxy: no_proxy covers loopback.
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

command -v nginx >/dev/null 2>&1 || skip "nginx not installed (./build.sh deps)"

NGINX_PID=
NGINX_DIR=$TEST_TMP/nginx
_nginx_children=()

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# _nginx_conf DOCROOT PORT [CERT KEY]
_nginx_conf() {
	local root=$1 port=$2 cert=${3:-} key=${4:-} user= listen
	[ "$(id -u)" -eq 0 ] && user="user root root;"
	listen="listen 127.0.0.1:$port;"
	[ -n "$cert" ] && listen="listen 127.0.0.1:$port ssl;
		ssl_certificate $cert;
		ssl_certificate_key $key;"
	cat <<CONF
$user
worker_processes ${NGINX_WORKERS:-1};
daemon off;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log warn;
events { worker_connections ${NGINX_CONNECTIONS:-512}; }
http {
	access_log $NGINX_DIR/access.log combined;
	log_format ferry '\$request_method \$uri \$status \$body_bytes_sent \$http_range \$connection';
	access_log $NGINX_DIR/ferry.log ferry;
	client_body_temp_path $NGINX_DIR/tmp/body;
	proxy_temp_path $NGINX_DIR/tmp/proxy;
	fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
	uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
	scgi_temp_path $NGINX_DIR/tmp/scgi;
	sendfile on;
	keepalive_requests 1000;
	server {
		$listen
		server_name localhost;
		root $root;
		location /ferry/ {
			types { }
			default_type application/octet-stream;
			autoindex off;
			etag on;
		}
		location / { return 404; }
	}
}
CONF
}

# nginx_start DOCROOT [ssl CERT KEY]: DOCROOT/ferry/ is served as /ferry/.
nginx_start() {
	local root=$1 cert= key= try port scheme=http i
	if [ "${2:-}" = ssl ]; then cert=$3; key=$4; scheme=https; fi
	root=$(cd "$root" && pwd)
	mkdir -p "$NGINX_DIR/tmp"
	for try in 1 2 3 4 5; do
		port=$(free_port)
		_nginx_conf "$root" "$port" "$cert" "$key" >"$NGINX_DIR/nginx.conf"
		: >"$NGINX_DIR/error.log"
		nginx -p "$NGINX_DIR" -e "$NGINX_DIR/error.log" \
		    -c "$NGINX_DIR/nginx.conf" >"$NGINX_DIR/stdout" 2>&1 &
		NGINX_PID=$!
		for i in $(seq 1 100); do
			if ! kill -0 "$NGINX_PID" 2>/dev/null; then break; fi
			if python3 -c 'import socket,sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' "$port" 2>/dev/null; then
				NGINX_PORT=$port
				NGINX_URL=$scheme://127.0.0.1:$port
				NGINX_LOG=$NGINX_DIR/ferry.log
				return 0
			fi
			sleep 0.05
		done
		nginx_stop
	done
	cat "$NGINX_DIR/error.log" "$NGINX_DIR/stdout" >&2
	die "nginx did not start"
}

nginx_stop() {
	if [ -n "$NGINX_PID" ]; then
		kill -QUIT "$NGINX_PID" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "$NGINX_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$NGINX_PID" 2>/dev/null || true
		wait "$NGINX_PID" 2>/dev/null || true
		NGINX_PID=
	fi
}

# A python3 helper server (tests/http/_pyserve.py) as a background child.
PYSERVE_PID=
pyserve_start() {
	local mode=$1 root=$2 i; shift 2
	PYSERVE_PORT=$(free_port)
	PYSERVE_LOG=$TEST_TMP/pyserve.log
	python3 "$FERRY_SRC/tests/http/_pyserve.py" "$mode" "$root" \
	    "$PYSERVE_PORT" "$PYSERVE_LOG" "$@" 2>"$TEST_TMP/pyserve.err" &
	PYSERVE_PID=$!
	for i in $(seq 1 100); do
		grep -q '^READY' "$PYSERVE_LOG" 2>/dev/null && break
		kill -0 "$PYSERVE_PID" 2>/dev/null || die "pyserve died: $(cat "$TEST_TMP/pyserve.err")"
		sleep 0.05
	done
	PYSERVE_URL=http://127.0.0.1:$PYSERVE_PORT
}
pyserve_stop() {
	if [ -n "$PYSERVE_PID" ]; then
		kill "$PYSERVE_PID" 2>/dev/null || true
		wait "$PYSERVE_PID" 2>/dev/null || true
		PYSERVE_PID=
	fi
}

_http_cleanup() { nginx_stop; pyserve_stop; }
trap _http_cleanup EXIT

# Paths of the successful GET requests in the ferry log, in order.
nginx_gets() { awk '$1 == "GET" && $3 ~ /^2/ { print $2 }' "$NGINX_LOG"; }
