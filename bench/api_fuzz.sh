#!/usr/bin/env bash
# schemathesis over the whole OpenAPI document (/api/v1/openapi.json), anonymous and with a staff token.
#
# A fresh data dir (migrate + demo), `smartcounty serve` on a free loopback port for the length of the run,
# a token of the demo's gov-staff (scope *), then `schemathesis run --checks all` twice. schemathesis is not a
# runtime dependency: `.venv/bin/pip install schemathesis` (4.x). Usage: bench/api_fuzz.sh [MAX_EXAMPLES]
# Reports (JUnit XML + NDJSON) go to $SC_FUZZ_REPORTS (default: the data dir's reports/).
set -euo pipefail
cd "$(dirname "$0")/.."
SC="$PWD/.venv/bin/smartcounty"
ST="$PWD/.venv/bin/schemathesis"
EXAMPLES="${1:-20}"
# the rate limits would answer most of the run with 429 (documented, but then nothing else is tested)
export SMARTCOUNTY_RATE_ANON=1000000/m SMARTCOUNTY_RATE_TOKEN=1000000/m SMARTCOUNTY_RATE_AUTH_FAILURES=1000000/m
export SMARTCOUNTY_DATA_DIR="${SC_FUZZ_DATA:-$(mktemp -d /tmp/sc-fuzz-XXXXXX)}"
REPORTS="${SC_FUZZ_REPORTS:-$SMARTCOUNTY_DATA_DIR/reports}"
mkdir -p "$REPORTS"
$SC migrate -v0
$SC demo -v0 >/dev/null
TOKEN=$($SC shell -v0 -c "
from smartcounty.foundation.accounts.models import User
from smartcounty.foundation.accounts.services import issue_token
print(issue_token(User.objects.get(username='gov-staff'), 'fuzz', ['*'], days=1)[1])")
PORT=$("$PWD/.venv/bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
timeout 3600 $SC serve "127.0.0.1:$PORT" --no-background >"$SMARTCOUNTY_DATA_DIR/serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
URL="http://127.0.0.1:$PORT/api/v1/openapi.json"
status=0
for who in anonymous staff; do
  auth=()
  [ "$who" = staff ] && auth=(-H "Authorization: Bearer $TOKEN")
  echo "== schemathesis ($who)"
  (cd "$SMARTCOUNTY_DATA_DIR" && $ST run "$URL" --checks all --max-examples "$EXAMPLES" --seed 1 --workers 1 --no-color --warnings off \
    --generation-database none --request-timeout 30 --continue-on-failure "${auth[@]}" \
    --report junit,ndjson --report-dir "$REPORTS/$who") || status=$?
done
echo "server log: $SMARTCOUNTY_DATA_DIR/serve.log; reports: $REPORTS"
exit $status
