#!/usr/bin/env bash
# Load test: requests per second of GET-by-filter against the example server, over loopback.
#
#   benches/load/get_by_filter.sh            # build, start, seed 1,000 users, run wrk, stop
#
# Environment (all optional):
#   ADDR=127.0.0.1:8181   where the server listens
#   DURATION=10s          how long wrk runs
#   THREADS=2 CONNECTIONS=32
#   USERS=1000            how many users to create first (user0 … user999)
#   RUST_LOG=warn         the server's log filter (default: one line per request, to a file)
#
# Needs curl and wrk (`apt-get install -y wrk`). The client and the server share the machine,
# so the result depends on its cores and on whatever else runs: the load average is printed
# beside it.
set -euo pipefail
cd "$(dirname "$0")/../.."

ADDR=${ADDR:-127.0.0.1:8181}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
USERS=${USERS:-1000}
TOKEN=load-test-token
BASE="http://$ADDR/scim/v2"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }

cargo build --release --example server
SERVER="${CARGO_TARGET_DIR:-target}/release/examples/server"

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill -INT "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$SERVER" --bind "$ADDR" --token "$TOKEN" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$BASE/ServiceProviderConfig" 2>/dev/null && break
    sleep 0.1
done

echo "==> creating $USERS users"
# One curl process, one keep-alive connection: a config file with one entry per user.
for i in $(seq 0 $((USERS - 1))); do
    [ "$i" -eq 0 ] || echo next
    printf 'url = "%s/Users"\nrequest = "POST"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/scim+json"\ndata = "{\\"schemas\\":[\\"urn:ietf:params:scim:schemas:core:2.0:User\\"],\\"userName\\":\\"user%d\\",\\"active\\":true,\\"name\\":{\\"givenName\\":\\"Given%d\\",\\"familyName\\":\\"Family\\"},\\"emails\\":[{\\"type\\":\\"work\\",\\"value\\":\\"user%d@example.com\\",\\"primary\\":true}]}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
        "$BASE" "$TOKEN" "$i" "$i" "$i"
done >"$WORK/create.curl"
created=$(curl -sS --config "$WORK/create.curl" | grep -c '^201$' || true)
echo "created: $created"
[ "$created" -eq "$USERS" ] || { echo "expected $USERS creations" >&2; exit 1; }

URL="$BASE/Users?filter=userName%20eq%20%22user500%22"
check=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$URL")
case "$check" in
    *'"totalResults":1,'*'"userName":"user500"'*) ;;
    *) echo "unexpected response: $check" >&2; exit 1 ;;
esac

echo "==> load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "==> wrk -t$THREADS -c$CONNECTIONS -d$DURATION GET $URL"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
    -H "Authorization: Bearer $TOKEN" "$URL"
echo "==> load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "==> server log lines: $(wc -l <"$WORK/server.log")"
