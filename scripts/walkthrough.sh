#!/usr/bin/env bash
# DeltaCrown walkthrough: a Valorant team tournament run over the HTTP API with curl, from sign-up
# to champion. Needs only bash, curl and python3 (for reading JSON).
#
#   make run                       # in one terminal (SIGNUP_RATE_PER_IP=1000/hour, see below)
#   bash scripts/walkthrough.sh    # in another; BASE=http://host:port to aim elsewhere
#
# It signs up an organizer and 5 players per team (plus substitutes), builds 18 teams, creates a
# 16-team tournament with an external entry fee, registers the 18 teams (2 land on the waitlist),
# withdraws 2 registered teams (the waitlisted 2 are promoted), uploads and verifies every entry
# fee, checks everyone in, and starts the tournament, which closes check-in. The organizer then
# draws the bracket at random and the captains play it round by round: one side reports each
# result and the other confirms it, except in one first-round match, where the other side reports
# a different score, argues its case in the dispute with a screenshot and the organizer settles
# it. The script ends with the champion and the top four. Every name carries a run id, so the
# script may run again against the same database. It stops with a message at the first answer
# whose HTTP status is not the expected one.
#
# The server throttles sign-ups per client address (SIGNUP_RATE_PER_IP, 10/hour by default) and
# this script signs up about 90 accounts from one address: start the server with a higher limit.
set -euo pipefail
shopt -s inherit_errexit

BASE="${BASE:-http://127.0.0.1:8000}"
API="$BASE/api/v1"
RUN="${RUN_ID:-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')}"
TEAMS=18         # teams that try to enter
CAPACITY=16      # places in the tournament
TEAM_SIZE=5      # Valorant is 5v5
SUBSTITUTES=2    # extra players, one substitute each on the first teams
WITHDRAWING=(3 7) # teams that withdraw after registering, freeing places for the waitlist
ORGANIZER_CHECKS_IN=2 # the last teams are checked in by the organizer, in bulk
JOBS="${JOBS:-6}" # requests in flight at once while building teams, uploading, checking in, playing
RNG_SEED=2026     # the random draw of the bracket, recorded with the stage so it can be redrawn
MATCH_PAGE=5      # ready matches per page: small, so the walkthrough follows the cursor as a client does
PASSWORD="walkthrough-passphrase-${RUN}"
FEE_AMOUNT=500
FEE_CURRENCY=EUR

for tool in curl python3; do
  command -v "$tool" >/dev/null || { printf 'walkthrough: %s is required\n' "$tool" >&2; exit 1; }
done
# Resolve the interpreter once: version-manager shims (pyenv, asdf) cost a process per call, and
# -S skips site-packages, which the standard-library snippets below do not need.
PYTHON="$(python3 -c 'import sys; print(sys.executable)')"
py() { "$PYTHON" -S "$@"; }

WORK="$(mktemp -d)"
cleanup() {
  local pids
  pids="$(jobs -p)"
  if [[ -n "$pids" ]]; then
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- output and state ------------------------------------------------------------------------

say() { printf '%s\n' "$*"; }

die() {
  printf 'walkthrough: %s\n' "$*" >&2
  exit 1
}

# Background jobs cannot set the caller's variables, so per-player and per-team values (tokens,
# ids) live in small files under $WORK.
put() { printf '%s' "$2" >"$WORK/$1"; }
get() { cat "$WORK/$1"; }

# --- JSON ------------------------------------------------------------------------------------

# json FIELD: print one field of the JSON document on stdin; FIELD is a dotted path whose
# numeric parts index lists ("payment.state", "items.0.id"). Objects, lists, booleans and null
# are printed as JSON.
json() {
  py -c '
import json, sys
value = json.load(sys.stdin)
for part in sys.argv[1].split("."):
    value = value[int(part)] if isinstance(value, list) else value[part]
print(value if isinstance(value, (str, int)) and not isinstance(value, bool) else json.dumps(value))
' "$1"
}

# json_ids FIELD: the FIELD of every item of a page ({"items": [...]}), one per line.
json_ids() {
  py -c '
import json, sys
for item in json.load(sys.stdin)["items"]:
    print(item[sys.argv[1]])
' "$1"
}

# iso_in SECONDS: the UTC time SECONDS from now (negative: in the past), ISO 8601.
iso_in() {
  py -c '
import sys
from datetime import UTC, datetime, timedelta
moment = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=int(sys.argv[1]))
print(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
' "$1"
}

# sleep_until ISO: wait until the given time has passed (a few seconds at most here).
sleep_until() {
  py -c '
import sys, time
from datetime import datetime
target = datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp()
time.sleep(max(0.0, target - time.time()) + 0.2)
' "$1"
}

# --- HTTP ------------------------------------------------------------------------------------

# api METHOD PATH EXPECTED_STATUS TOKEN [JSON_BODY]: call the API, print the response body, or
# stop the whole walkthrough when the status is not EXPECTED_STATUS. TOKEN may be empty.
# Writes carry an Idempotency-Key, as a client that may retry should send.
api() {
  local method="$1" path="$2" expect="$3" token="$4" body="${5-}"
  local args=(-sS -X "$method" -w '\n%{http_code}' -H 'Accept: application/json')
  if [[ -n "$token" ]]; then
    args+=(-H "Authorization: Bearer $token")
  fi
  if [[ "$method" != GET ]]; then
    args+=(-H "Idempotency-Key: walkthrough-$RUN-$BASHPID-$RANDOM$RANDOM")
  fi
  if [[ -n "$body" ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary "$body")
  fi
  local out
  out="$(curl "${args[@]}" "$API$path")" || die "cannot reach $API$path (is the server running?)"
  check_status "$method" "$path" "$expect" "$out"
}

# api_upload PATH EXPECTED_STATUS TOKEN FILE [TEXT]: multipart upload of FILE as the field "file",
# with TEXT (taken literally, never as a file name) as the field "body" when given.
api_upload() {
  local path="$1" expect="$2" token="$3" file="$4" text="${5-}" out
  local args=(-sS -X POST -w '\n%{http_code}' -H "Authorization: Bearer $token"
    -H "Idempotency-Key: walkthrough-$RUN-$BASHPID-$RANDOM$RANDOM" -F "file=@$file")
  if [[ -n "$text" ]]; then
    args+=(--form-string "body=$text")
  fi
  out="$(curl "${args[@]}" "$API$path")" || die "cannot reach $API$path (is the server running?)"
  check_status POST "$path" "$expect" "$out"
}

# check_status METHOD PATH EXPECTED OUTPUT: OUTPUT is the body, a newline and the status code.
check_status() {
  local method="$1" path="$2" expect="$3" out="$4"
  local status="${out##*$'\n'}" body="${out%$'\n'*}"
  if [[ "$status" != "$expect" ]]; then
    if [[ "$status" == 429 && "$path" == /auth/signup ]]; then
      printf 'walkthrough: the server throttles sign-ups per address; start it with a higher\n' >&2
      printf '  limit, e.g. SIGNUP_RATE_PER_IP=1000/hour make run\n' >&2
    fi
    die "$method /api/v1$path answered $status (expected $expect): $body"
  fi
  printf '%s\n' "$body"
}

api_get() { api GET "$2" "${3:-200}" "$1"; }            # api_get TOKEN PATH [STATUS]
api_post() { api POST "$2" "${4:-200}" "$1" "${3-}"; }   # api_post TOKEN PATH BODY [STATUS]
api_patch() { api PATCH "$2" "${4:-200}" "$1" "$3"; }    # api_patch TOKEN PATH BODY [STATUS]

# parallel FUNCTION COUNT: run FUNCTION 1 .. FUNCTION COUNT, at most $JOBS at a time, each in a
# subshell of its own; stops the walkthrough once one of them has failed (its message says why).
parallel() {
  local fn="$1" count="$2" i finished
  # The same FUNCTION may run again (a round of matches after another): start with no marks.
  rm -f "$WORK/done.$fn."*
  for ((i = 1; i <= count; i++)); do
    while (($(jobs -pr | wc -l) >= JOBS)); do
      wait -n || die "$fn failed"
    done
    # Not "fn && touch": errexit is off inside the left side of &&.
    ("$fn" "$i"; touch "$WORK/done.$fn.$i") &
  done
  wait
  # A job that failed between two checks above is caught here: it left no mark.
  finished="$(find "$WORK" -maxdepth 1 -name "done.$fn.*" | wc -l)"
  ((finished == count)) || die "$fn failed"
}

# --- accounts --------------------------------------------------------------------------------

# account NAME: sign up user NAME of this run, sign in, and keep "<NAME>.id" and "<NAME>.token".
account() {
  local name="wt${RUN}_$1" me pair
  me="$(api_post "" /auth/signup \
    "{\"username\": \"$name\", \"email\": \"$name@example.com\", \"password\": \"$PASSWORD\"}" 201)"
  put "$1.id" "$(json id <<<"$me")"
  pair="$(api_post "" /auth/token "{\"username\": \"$name\", \"password\": \"$PASSWORD\"}")"
  put "$1.token" "$(json access_token <<<"$pair")"
}

# player TEAM SLOT: an account with a Valorant Riot ID (name#TAG) on its profile.
player() {
  local key="t$1p$2"
  account "$key"
  api_patch "$(get "$key.token")" /me "{\"game_ids\": {\"valorant\": \"${RUN}t$1p$2#DCW\"}}" \
    >/dev/null
}

team_name() { printf 'Walkthrough %s %02d' "$RUN" "$1"; }

# --- phases ----------------------------------------------------------------------------------

# build_team N: five players (and a substitute for the first teams); the first player creates
# the team as its captain, invites the others, and each accepts.
build_team() {
  local n="$1" slot captain team invitation size="$TEAM_SIZE"
  if ((n <= SUBSTITUTES)); then
    size=$((TEAM_SIZE + 1))
  fi
  for ((slot = 1; slot <= size; slot++)); do
    player "$n" "$slot"
  done
  captain="$(get "t${n}p1.token")"
  team="$(api_post "$captain" /teams \
    "{\"game\": \"valorant\", \"name\": \"$(team_name "$n")\", \"tag\": \"W$n\"}" 201)"
  team="$(json id <<<"$team")"
  put "t$n.team" "$team"
  put "t$n.captain" "$captain"
  for ((slot = 2; slot <= size; slot++)); do
    invitation="$(api_post "$captain" "/teams/$team/invitations" \
      "{\"user_id\": $(get "t${n}p$slot.id")}" 201)"
    api_post "$(get "t${n}p$slot.token")" \
      "/teams/invitations/$(json id <<<"$invitation")/accept" "" >/dev/null
  done
}

phase_teams() {
  say "Signing up $TEAMS Valorant teams of $TEAM_SIZE players ($SUBSTITUTES with a substitute)..."
  parallel build_team "$TEAMS"
  say "  $TEAMS teams ready, each captain invited their players and every invitation was accepted"
}

phase_tournament() {
  account organizer
  ORGANIZER="$(get organizer.token)"
  # Registration opened a minute ago and closes in 15 minutes; phase_check_in later pulls the
  # close in to "now" once everyone has registered, which an organizer may do while
  # registration is open. Check-in opens when registration closes and lasts 5 minutes.
  local body tournament
  body="$(
    cat <<JSON
{"game": "valorant", "name": "Walkthrough Cup $RUN", "capacity": $CAPACITY,
 "participant_kind": "team",
 "stage_plan": [{"name": "Playoffs", "format": "single_elimination", "options": {"third_place": true},
                 "best_of": {"default": 3, "rounds": {"final": 5}}}],
 "entry_fee": {"kind": "external", "amount": $FEE_AMOUNT, "currency": "$FEE_CURRENCY"},
 "schedule": {"registration_opens_at": "$(iso_in -60)", "registration_closes_at": "$(iso_in 900)",
              "check_in_opens_before": 5, "starts_at": "$(iso_in 1200)"}}
JSON
  )"
  tournament="$(api_post "$ORGANIZER" /tournaments "$body" 201)"
  TOURNAMENT="$(json id <<<"$tournament")"
  api_post "$ORGANIZER" "/tournaments/$TOURNAMENT/transitions" '{"to": "published"}' >/dev/null
  api_post "$ORGANIZER" "/tournaments/$TOURNAMENT/transitions" '{"to": "registration_open"}' \
    >/dev/null
  say "Tournament $TOURNAMENT created by the organizer: $CAPACITY teams, entry fee" \
    "$FEE_AMOUNT $FEE_CURRENCY (minor units), registration open"
}

phase_register() {
  say "Registering $TEAMS teams (in order, so the last ones meet a full tournament)..."
  local n registration state
  for ((n = 1; n <= TEAMS; n++)); do
    registration="$(api_post "$(get "t$n.captain")" "/tournaments/$TOURNAMENT/registrations" \
      "{\"team_id\": $(get "t$n.team")}" 201)"
    put "t$n.registration" "$(json id <<<"$registration")"
    state="$(json state <<<"$registration")"
    put "t$n.state" "$state"
    if [[ "$state" == waitlisted ]]; then
      say "  $(team_name "$n"): waitlisted, position $(json waitlist_position <<<"$registration")"
    fi
  done
  local held=0
  for ((n = 1; n <= TEAMS; n++)); do
    if [[ "$(get "t$n.state")" == pending_payment ]]; then
      held=$((held + 1))
    fi
  done
  ((held == CAPACITY)) || die "expected $CAPACITY places held, got $held"
  say "  $held teams hold a place (pending payment), $((TEAMS - held)) are waitlisted"
}

phase_withdraw() {
  local n registration
  for n in "${WITHDRAWING[@]}"; do
    api_post "$(get "t$n.captain")" "/registrations/$(get "t$n.registration")/cancel" '{}' \
      >/dev/null
    put "t$n.state" cancelled
    say "  $(team_name "$n") withdrew"
  done
  for ((n = 1; n <= TEAMS; n++)); do
    [[ "$(get "t$n.state")" == waitlisted ]] || continue
    registration="$(api_get "$(get "t$n.captain")" "/registrations/$(get "t$n.registration")")"
    [[ "$(json state <<<"$registration")" == pending_payment ]] ||
      die "$(team_name "$n") was not promoted from the waitlist: $registration"
    put "t$n.state" pending_payment
    put "t$n.promoted" yes
    say "  $(team_name "$n") promoted from the waitlist (promoted_at" \
      "$(json promoted_at <<<"$registration"))"
  done
}

# active_teams: the team numbers that hold a place, one per line.
active_teams() {
  local n
  for ((n = 1; n <= TEAMS; n++)); do
    [[ "$(get "t$n.state")" == cancelled ]] || printf '%s\n' "$n"
  done
}

upload_proof() {
  local n="$1" payment
  payment="$(api_upload "/registrations/$(get "t$n.registration")/payment/proof" 200 \
    "$(get "t$n.captain")" "$WORK/receipt.png")"
  [[ "$(json state <<<"$payment")" == submitted ]] || die "proof of team $n not submitted"
}

# write_png FILE GREY: a small valid PNG (64x32, one shade of grey), standard library only.
write_png() {
  py - "$1" "$2" <<'PY'
import struct, sys, zlib
width, height, grey = 64, 32, int(sys.argv[2])
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
raw = b"".join(b"\x00" + bytes([grey, grey, grey]) * width for _ in range(height))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
PY
}

phase_payments() {
  write_png "$WORK/receipt.png" 200 # the bank receipt
  say "Every captain uploads a proof of payment..."
  local teams n count=0 page id
  mapfile -t teams < <(active_teams)
  upload_nth() { upload_proof "${teams[$(($1 - 1))]}"; }
  parallel upload_nth "${#teams[@]}"
  say "  ${#teams[@]} proofs submitted"
  page="$(api_get "$ORGANIZER" "/tournaments/$TOURNAMENT/registrations?payment_state=submitted&limit=100")"
  while read -r id; do
    [[ -n "$id" ]] || continue
    api_post "$ORGANIZER" "/registrations/$id/payment/verify" "" >/dev/null
    count=$((count + 1))
  done < <(json_ids id <<<"$page")
  ((count == CAPACITY)) || die "expected $CAPACITY submitted payments, the organizer saw $count"
  page="$(api_get "$ORGANIZER" "/tournaments/$TOURNAMENT/registrations?state=confirmed&limit=100")"
  count="$(json_ids id <<<"$page" | wc -l)"
  ((count == CAPACITY)) || die "expected $CAPACITY confirmed registrations, got $count"
  for n in "${teams[@]}"; do put "t$n.state" confirmed; done
  say "  the organizer verified $CAPACITY payments: $count registrations confirmed"
}

phase_check_in() {
  # Registration is complete: close it a few seconds from now and start the tournament five
  # minutes (the shortest check-in window) after that, so check-in opens as registration closes.
  local closes starts
  closes="$(iso_in 3)"
  starts="$(py -c '
import sys
from datetime import datetime, timedelta
moment = datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")) + timedelta(minutes=5)
print(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
' "$closes")"
  api_patch "$ORGANIZER" "/tournaments/$TOURNAMENT" \
    "{\"schedule\": {\"registration_closes_at\": \"$closes\", \"starts_at\": \"$starts\"}}" \
    >/dev/null
  api_post "$ORGANIZER" "/tournaments/$TOURNAMENT/transitions" '{"to": "registration_closed"}' \
    >/dev/null
  api_post "$ORGANIZER" "/tournaments/$TOURNAMENT/transitions" '{"to": "check_in"}' >/dev/null
  say "Registration closed; check-in opens at $closes, the tournament starts at $starts"
  sleep_until "$closes"

  local teams self
  mapfile -t teams < <(active_teams)
  self=$((${#teams[@]} - ORGANIZER_CHECKS_IN))
  check_in_nth() {
    local n="${teams[$(($1 - 1))]}" registration
    registration="$(api_post "$(get "t$n.captain")" \
      "/registrations/$(get "t$n.registration")/check-in" "")"
    [[ "$(json checked_in <<<"$registration")" == true ]] || die "team $n is not checked in"
  }
  parallel check_in_nth "$self"
  say "  $self captains checked their teams in"

  local ids="" n result
  for n in "${teams[@]:$self}"; do
    ids="${ids:+$ids, }$(get "t$n.registration")"
  done
  result="$(api_post "$ORGANIZER" "/tournaments/$TOURNAMENT/check-ins" \
    "{\"registration_ids\": [$ids]}")"
  say "  the organizer checked in registrations $(json checked_in <<<"$result") at the desk"
}

phase_close_check_in() {
  # Going live closes check-in: teams that did not check in would be dropped now.
  api_post "$ORGANIZER" "/tournaments/$TOURNAMENT/transitions" '{"to": "live"}' >/dev/null
  say "Tournament $TOURNAMENT is live; check-in is closed"
}

phase_report() {
  local registrations teams
  registrations="$(api_get "$ORGANIZER" \
    "/tournaments/$TOURNAMENT/registrations?state=confirmed&checked_in=true&limit=100")"
  teams="$(api_get "" "/teams?game=valorant&q=$RUN&limit=100")"
  say "Checked-in participants (the bracket is generated from them):"
  py - "$registrations" "$teams" <<'PY'
import json, sys
registrations = json.loads(sys.argv[1])["items"]
names = {team["id"]: team["name"] for team in json.loads(sys.argv[2])["items"]}
for seed, reg in enumerate(registrations, 1):
    promoted = " - promoted from the waitlist" if reg["promoted_at"] else ""
    name = names.get(reg["team_id"], reg["team_id"])
    print(f"  {seed:2}. {name} (team {reg['team_id']}, registration {reg['id']}){promoted}")
print(f"{len(registrations)} teams checked in")
PY
}

phase_bracket() {
  local stage participants teams="" n participant
  stage="$(api_post "$ORGANIZER" "/tournaments/$TOURNAMENT/stages/generate" \
    "{\"seeding\": \"random\", \"rng_seed\": $RNG_SEED}" 201)"
  STAGE="$(json id <<<"$stage")"
  say "The organizer drew the bracket: stage $STAGE, $(json format <<<"$stage"), random seeding" \
    "(rng_seed $(json seeding.rng_seed <<<"$stage"))"
  # A public tournament's bracket is readable by anyone: no token.
  stage="$(api_get "" "/stages/$STAGE")"
  say "First round:"
  py - "$stage" <<'PY'
import json, sys
first = json.loads(sys.argv[1])["rounds"][0]
for match in first["matches"]:
    home, away = (slot["name"] for slot in match["slots"])
    print(f"  {match['key']:>5}  {home} vs {away} (best of {match['best_of']})")
PY

  # Results name sides by participant id, and each team's captain acts for it: map one to the
  # other through the team ids the participants list gives.
  for n in $(active_teams); do
    teams="${teams:+$teams, }\"$(get "t$n.team")\": $n"
  done
  participants="$(api_get "" "/tournaments/$TOURNAMENT/participants")"
  while read -r participant n; do
    put "p$participant.captain" "$(get "t$n.captain")"
  done < <(py - "$participants" "{$teams}" <<'PY'
import json, sys
teams = json.loads(sys.argv[2])
for participant in json.loads(sys.argv[1]):
    print(participant["id"], teams[str(participant["team_id"])])
PY
  )
}

# games WINNER_SLOT BEST_OF CONCEDED: a result map by map in which the side in WINNER_SLOT wins
# the majority of BEST_OF maps after losing CONCEDED of them first; the scores are made up but
# the same on every run.
games() {
  py - "$@" <<'PY'
import json, sys
winner, best_of, conceded = (int(arg) for arg in sys.argv[1:])
losing_scores = [8, 11, 6, 10, 9]
maps = []
for number in range(conceded + best_of // 2 + 1):
    won = number >= conceded
    score = [13, losing_scores[number % len(losing_scores)]]
    maps.append({"scores": score if won == (winner == 0) else score[::-1]})
print(json.dumps({"games": maps}))
PY
}

# ready_matches: the matches ready to be played, page by page, one per line:
# id, best of, both participant ids, both names and the round's name, separated by tabs.
ready_matches() {
  local page cursor="" query
  while :; do
    query="status=ready&limit=$MATCH_PAGE${cursor:+&cursor=$cursor}"
    page="$(api_get "" "/tournaments/$TOURNAMENT/matches?$query")"
    py - "$page" <<'PY'
import json, sys
for match in json.loads(sys.argv[1])["items"]:
    home, away = match["slots"]
    fields = [match["id"], match["best_of"], home["participant_id"], away["participant_id"],
              home["name"], away["name"], match["round_name"]]
    print("\t".join(str(field) for field in fields))
PY
    cursor="$(json next_cursor <<<"$page")"
    [[ "$cursor" != null ]] || break
  done
}

# play_match I: the I-th ready match is played. The side in slot 0 wins: its captain reports
# the result map by map and the other captain confirms it.
play_match() {
  local id best_of home away home_name away_name round match
  IFS=$'\t' read -r id best_of home away home_name away_name round < <(sed -n "${1}p" \
    "$WORK/ready")
  if [[ "$1" == 1 && -z "${DISPUTED-}" ]]; then
    dispute_match "$id" "$best_of" "$home" "$away" "$away_name"
    return
  fi
  match="$(api_post "$(get "p$home.captain")" "/matches/$id/result" "$(games 0 "$best_of" 0)")"
  [[ "$(json status <<<"$match")" == pending_result ]] || die "match $id is not waiting: $match"
  match="$(api_post "$(get "p$away.captain")" "/matches/$id/confirm" "")"
  [[ "$(json status <<<"$match")" == completed ]] || die "match $id is not completed: $match"
  say "  $(printf '%5s' "$(json key <<<"$match")")  $home_name beat $away_name" \
    "$(json scores.0 <<<"$match")-$(json scores.1 <<<"$match")"
}

# dispute_match ID BEST_OF HOME AWAY AWAY_NAME: the captains remember the match differently.
# The home captain reports a 2-0 win; the away captain reports its own 2-1 win instead of
# confirming, which opens a dispute, and posts the scoreboard in the dispute's thread; the
# organizer reads it and rules for the away side.
dispute_match() {
  local id="$1" best_of="$2" home="$3" away="$4" away_name="$5" match dispute comment resolved
  api_post "$(get "p$home.captain")" "/matches/$id/result" "$(games 0 "$best_of" 0)" >/dev/null
  match="$(api_post "$(get "p$away.captain")" "/matches/$id/result" "$(games 1 "$best_of" 1)")"
  [[ "$(json status <<<"$match")" == disputed ]] || die "match $id is not disputed: $match"
  dispute="$(json open_dispute_id <<<"$match")"
  say "  $(printf '%5s' "$(json key <<<"$match")")  disputed: both captains reported a win" \
    "(dispute $dispute)"
  write_png "$WORK/scoreboard.png" 90
  comment="$(api_upload "/disputes/$dispute/comments" 201 "$(get "p$away.captain")" \
    "$WORK/scoreboard.png" "We won maps 2 and 3, the scoreboard is attached.")"
  [[ "$(json has_evidence <<<"$comment")" == true ]] || die "the evidence was not kept: $comment"
  resolved="$(api_post "$ORGANIZER" "/disputes/$dispute/resolve" \
    "{\"resolution\": \"result\", \"result\": $(games 1 "$best_of" 1),
      \"note\": \"The scoreboard confirms the second report.\"}")"
  [[ "$(json status <<<"$resolved")" == resolved ]] || die "dispute $dispute: $resolved"
  match="$(api_get "" "/matches/$id")"
  [[ "$(json status <<<"$match")" == completed ]] || die "match $id is not completed: $match"
  say "  $(printf '%5s' "$(json key <<<"$match")")  the organizer ruled for $away_name," \
    "$(json scores.1 <<<"$match")-$(json scores.0 <<<"$match")"
}

phase_play() {
  local count rounds batch=0
  while :; do
    ready_matches >"$WORK/ready"
    count="$(wc -l <"$WORK/ready")"
    ((count > 0)) || break
    batch=$((batch + 1))
    ((batch <= 10)) || die "matches are still ready after $((batch - 1)) rounds"
    rounds="$(cut -f7 "$WORK/ready" | uniq | paste -sd '|' | sed 's/|/ and /g')"
    say "$rounds: $count matches"
    # Matches ready at the same time do not depend on each other: play them side by side.
    parallel play_match "$count"
    # Only the first round has a dispute.
    DISPUTED=yes
  done
  say "Every match is decided"
}

phase_champion() {
  local results tries tournament
  # The tournament is completed right after the final's result commits: wait a moment for it.
  for ((tries = 0; tries < 50; tries++)); do
    results="$(api_get "" "/tournaments/$TOURNAMENT/results")"
    [[ "$(json completed_at <<<"$results")" == null ]] || break
    sleep 0.1
  done
  [[ "$(json completed_at <<<"$results")" != null ]] ||
    die "the tournament has no results 5 seconds after the final: $results"
  tournament="$(api_get "$ORGANIZER" "/tournaments/$TOURNAMENT")"
  [[ "$(json status <<<"$tournament")" == completed ]] ||
    die "the tournament is not completed: $tournament"
  say "Champion: $(json placements.0.name <<<"$results")"
  say "Top 4:"
  py - "$results" <<'PY'
import json, sys
for placement in json.loads(sys.argv[1])["placements"][:4]:
    print(f"  {placement['place']}. {placement['name']} (participant {placement['participant_id']})")
PY
  say "Tournament $TOURNAMENT is completed"
}

main() {
  say "DeltaCrown walkthrough against $BASE (run $RUN)"
  phase_tournament
  phase_teams
  phase_register
  phase_withdraw
  phase_payments
  phase_check_in
  phase_close_check_in
  phase_report
  phase_bracket
  phase_play
  phase_champion
  say "tournament id: $TOURNAMENT"
}

main "$@"
