#!/bin/sh
# A worker for equeue in POSIX sh, with curl (7.66 or later) and jq: it claims jobs of one
# queue over HTTP in batches, runs each, and reports how each ended; the reports of a
# batch go out together, in parallel, from one curl. The protocol is in docs/api.md
# ("Workers over HTTP"): every report carries the lease token the claim gave, and one
# whose lease was lost meanwhile is refused with 409 and changes nothing.
#
#   EQUEUE_URL=http://127.0.0.1:8000 EQUEUE_KEY=eqk_... sh worker.sh [run | stale-demo]
#
# Settings (environment): QUEUE (shell-jobs), WORKER (this worker's id), BATCH (jobs per
# claim, 1-100: 100), LEASE (seconds, 60: this worker renews no lease, so a whole batch
# must fit in it), WAIT (seconds a claim waits for jobs, 20), EXIT_WHEN_IDLE (set: stop
# after a claim that found nothing). SIGTERM or SIGINT: finish the batch, then stop.
set -eu

: "${EQUEUE_URL:?set EQUEUE_URL, e.g. http://127.0.0.1:8000}"
: "${EQUEUE_KEY:?set EQUEUE_KEY to a key with the work scope}"
QUEUE=${QUEUE:-shell-jobs}
WORKER=${WORKER:-$(printf 'sh-%s-%s' "$(hostname)" "$$" | tr -c 'A-Za-z0-9._-' '-')}
BATCH=${BATCH:-100}
LEASE=${LEASE:-60}
WAIT=${WAIT:-20}
EXIT_WHEN_IDLE=${EXIT_WHEN_IDLE:-}

# Scratch files, for this user's eyes only. The key goes in a header file, never on a
# command line, where ps would show it to everyone.
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stopping=
trap 'stopping=1' TERM INT
printf 'x-api-key: %s\ncontent-type: application/json\n' "$EQUEUE_KEY" > "$tmp/headers"
tab=$(printf '\t')

die() {
  echo "$*" >&2
  exit 1
}

# api PATH [BODY]: POST to the API; the answer in $tmp/answer, its status on stdout.
# --retry waits out a 429 (the key's rate limit) for as long as its Retry-After says.
api() {
  curl -sS --retry 10 -H @"$tmp/headers" --data "${2-}" -o "$tmp/answer" \
    -w '%{http_code}' "$EQUEUE_URL$1"
}

# work TYPE N: run one job; its result (JSON) on stdout, or why it failed on stderr and a
# non-zero status.
work() {
  case $1 in
    example.square)
      case $2 in
        '' | *[!0-9]*) echo "n must be a whole number, not '$2'" >&2 && return 1 ;;
      esac
      echo "{\"square\": $(($2 * $2))}"
      ;;
    *) echo "this worker has no task $1" >&2 && return 1 ;;
  esac
}

# report JOB_ID complete|fail BODY: one more request for send_reports to make (a curl
# config: one request per block, "next" between them).
report() {
  printf '%s' "$3" > "$tmp/$1.json"
  [ ! -s "$tmp/reports" ] || echo next >> "$tmp/reports"
  cat >> "$tmp/reports" <<EOF
url = "$EQUEUE_URL/v1/jobs/$1/$2"
header = "@$tmp/headers"
data = "@$tmp/$1.json"
output = "$tmp/$1.answer"
write-out = "%{http_code} $2 $1\n"
retry = 10
silent
show-error
EOF
}

# The batch's reports, all at once. A 409 means the job's lease was lost meanwhile (it
# lapsed, and the job went back to the queue): the report changed nothing.
send_reports() {
  curl --no-progress-meter --parallel --parallel-max 16 -K "$tmp/reports" > "$tmp/sent" ||
    echo "some reports were not sent: their jobs run again once their leases lapse" >&2
  grep -v '^200 ' "$tmp/sent" | while read -r status outcome id; do
    echo "$outcome of $id refused: $status $(jq -r '.error.message' "$tmp/$id.answer")"
  done
  rm -f "$tmp"/*.json "$tmp"/*.answer
}

run() {
  while [ -z "$stopping" ]; do
    status=$(api "/v1/queues/$QUEUE/claim?worker=$WORKER&limit=$BATCH&lease=$LEASE&wait=$WAIT")
    [ "$status" = 200 ] || die "claim refused: $status $(cat "$tmp/answer")"
    # One line per job: its id, lease token, type and payload's n.
    jq -r '.items[] | [.id, .lease_token, .type, (.payload.n // "")] | @tsv' \
      "$tmp/answer" > "$tmp/jobs"
    if [ ! -s "$tmp/jobs" ]; then
      [ -z "$EXIT_WHEN_IDLE" ] || return 0
      continue
    fi
    : > "$tmp/reports"
    while IFS=$tab read -r id token type n; do
      if result=$(work "$type" "$n" 2> "$tmp/error"); then
        report "$id" complete "{\"token\": \"$token\", \"result\": $result}"
      else
        report "$id" fail "$(jq -n --arg token "$token" --rawfile why "$tmp/error" \
          '{token: $token, error: ($why | split("\n")[0] | .[:1000]), detail: $why}')"
      fi
    done < "$tmp/jobs"
    send_reports
  done
}

# A worker that stalls past its lease: the job is taken back and claimed again, and the
# stalled worker's late completion is refused with 409. Needs a queue holding one job.
stale_demo() {
  api "/v1/queues/$QUEUE/claim?worker=$WORKER&limit=1&lease=1&wait=10" > /dev/null
  id=$(jq -r '.items[0].id // empty' "$tmp/answer")
  stale=$(jq -r '.items[0].lease_token // empty' "$tmp/answer")
  [ -n "$id" ] || die "no job in $QUEUE"
  echo "claimed $id with a lease of 1 s, and stalled"
  # Waits until the lease lapsed and a worker's maintenance took the job back.
  api "/v1/queues/$QUEUE/claim?worker=$WORKER&limit=1&lease=30&wait=20" > /dev/null
  [ "$(jq -r '.items[0].id // empty' "$tmp/answer")" = "$id" ] || die "the job did not come back"
  fresh=$(jq -r '.items[0].lease_token' "$tmp/answer")
  echo "claimed $id again, as attempt $(jq -r '.items[0].attempt' "$tmp/answer")"
  status=$(api "/v1/jobs/$id/complete" "{\"token\": \"$stale\", \"result\": \"late\"}")
  [ "$status" = 409 ] || die "the stale token was accepted ($status)"
  echo "complete of $id refused: $status $(jq -r '.error.code + ": " + .error.message' "$tmp/answer")"
  status=$(api "/v1/jobs/$id/complete" "{\"token\": \"$fresh\", \"result\": \"on time\"}")
  [ "$status" = 200 ] || die "the fresh token was refused ($status)"
  echo "completed $id as attempt 2"
}

case ${1:-run} in
  run) run ;;
  stale-demo) stale_demo ;;
  *) die "usage: worker.sh [run | stale-demo]" ;;
esac
