#!/bin/sh
# Drives the agenda commands of the permanence binary as a practice's IT would: real
# database files, JSON checked with jq, exit statuses and messages checked.
# Usage: test_agenda_cli.sh PATH-TO-PERMANENCE
set -u

bin=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/permanence-cli-XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

# expect NAME STATUS COMMAND...: the command exits with STATUS; its output is in $out/$err.
expect() {
	name=$1 status=$2
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	got=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
	if [ "$got" -ne "$status" ]; then
		fail "$name" "exit $got, expected $status; stderr: $err"
		return 1
	fi
	return 0
}

# check NAME CONDITION-COMMAND...
check() {
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "$* did not hold (stdout: $out, stderr: $err)"; fi
}

db="$work/demo.db"
now="--now 2026-03-27T10:00:00+01:00"

expect init_demo 0 "$bin" init --demo --db "$db" $now && check init_demo test -s "$db"
expect init_refuses_overwrite 1 "$bin" init --demo --db "$db" &&
	check init_refuses_overwrite grep -q -- "--force" "$work/err"
expect init_force 0 "$bin" init --demo --force --db "$db" $now --json &&
	check init_force_json jq -e '.demo == true and .schema_version >= 1' "$work/out"

expect slots_json 0 "$bin" slots --db "$db" $now --type consultation --practitioner Martin --json &&
	check slots_json_offsets jq -e '.slots | length == 3 and (.[0].start == "2026-03-27T11:00:00+01:00") and (.[0].practitioner == "Dr Claire Martin") and (.[0].type == "consultation")' "$work/out"
expect slots_after_dst 0 "$bin" slots --db "$db" $now --type consultation --practitioner Martin --from 2026-03-30 --adjacent --count 1 --json &&
	check slots_after_dst jq -e '.slots[0].start == "2026-03-30T08:30:00+02:00"' "$work/out"
# The demo books Saturday 09:00 for Sophie Durand; the next slot is 09:15 at UTC+1.
expect slots_saturday 0 "$bin" slots --db "$db" $now --type consultation --weekday sat --json --count 1 --adjacent &&
	check slots_saturday jq -e '.slots[0].start == "2026-03-28T09:15:00+01:00"' "$work/out"
expect slots_wrong_practitioner 3 "$bin" slots --db "$db" $now --type suivi-pediatrique --practitioner Benali &&
	check slots_wrong_practitioner grep -q "wrong_practitioner" "$work/err"
expect slots_unknown_type 2 "$bin" slots --db "$db" $now --type radiographie &&
	check slots_unknown_type grep -q "consultation, premiere-consultation" "$work/err"
expect slots_unknown_practitioner 2 "$bin" slots --db "$db" $now --type consultation --practitioner Dupont &&
	check slots_unknown_practitioner grep -q "Dr Karim Benali" "$work/err"
expect slots_bad_count 2 "$bin" slots --db "$db" $now --type consultation --count 0
expect slots_bad_weekday 2 "$bin" slots --db "$db" $now --type consultation --weekday funday

expect book_json 0 "$bin" book --db "$db" $now --type consultation --practitioner "Dr Claire Martin" \
	--start 2026-03-30T09:00:00+02:00 --last-name Lefèvre --birth-date 1958-03-12 --json &&
	check book_json jq -e '.status == "booked" and .appointment.start == "2026-03-30T09:00:00+02:00" and .appointment.patient.last_name == "Lefèvre" and .new_patient == false' "$work/out"
id=$(jq -r '.appointment.id' "$work/out" 2>/dev/null)
expect book_taken 3 "$bin" book --db "$db" $now --type consultation --practitioner Martin \
	--start "2026-03-30T09:00" --patient-id 1 --json &&
	check book_taken jq -e '.status == "taken"' "$work/out"
expect book_key_first 0 "$bin" book --db "$db" $now --type consultation --practitioner Benali \
	--start 2026-03-30T10:00:00+02:00 --phone "06 98 76 54 32" --idempotency-key retry-1 --json
expect book_key_retry 0 "$bin" book --db "$db" $now --type consultation --practitioner Benali \
	--start 2026-03-30T10:00:00+02:00 --phone "06 98 76 54 32" --idempotency-key retry-1 --json &&
	check book_key_retry jq -e '.replayed == true and .appointment.patient.last_name == "Nguyen"' "$work/out"
expect book_new_patient_type 3 "$bin" book --db "$db" $now --type consultation --practitioner Martin \
	--start 2026-03-31T09:00:00+02:00 --last-name Rousseau --first-name Inès --birth-date 1990-01-15 &&
	check book_new_patient_type grep -q "première consultation" "$work/err"
expect book_holiday 3 "$bin" book --db "$db" --now 2026-05-01T10:00:00+02:00 --type consultation \
	--practitioner Martin --start 2026-05-14T09:00:00+02:00 --patient-id 1 &&
	check book_holiday grep -q "holiday" "$work/err"
expect book_feb30 2 "$bin" book --db "$db" $now --type consultation --practitioner Martin \
	--start 2026-02-30T09:00 --patient-id 1 &&
	check book_feb30 grep -q "cette date n'existe pas" "$work/err"
expect book_skipped_hour 2 "$bin" book --db "$db" $now --type consultation --practitioner Martin \
	--start 2026-03-29T02:30 --patient-id 1 &&
	check book_skipped_hour grep -q "heure d'été" "$work/err"
expect book_skipped_hour_en 2 "$bin" book --db "$db" $now --lang en --type consultation \
	--practitioner Martin --start 2026-03-29T02:30 --patient-id 1 &&
	check book_skipped_hour_en grep -q "skipped by a daylight-saving change" "$work/err"
expect book_bad_phone 2 "$bin" book --db "$db" $now --type consultation --practitioner Martin \
	--start 2026-03-31T09:00:00+02:00 --phone "zero six" --last-name X
expect book_missing_patient 2 "$bin" book --db "$db" $now --type consultation --practitioner Martin \
	--start 2026-03-31T09:00:00+02:00

expect move_json 0 "$bin" move --db "$db" $now --id "$id" --start 2026-03-31T14:00:00+02:00 --json &&
	check move_json jq -e ".status == \"moved\" and .previous_id == $id and .appointment.start == \"2026-03-31T14:00:00+02:00\"" "$work/out"
new_id=$(jq -r '.appointment.id' "$work/out" 2>/dev/null)
expect move_old_again 3 "$bin" move --db "$db" $now --id "$id" --start 2026-04-01T14:00:00+02:00
expect cancel_json 0 "$bin" cancel --db "$db" $now --id "$new_id" --json &&
	check cancel_json jq -e '.status == "cancelled" and .appointment.status == "cancelled"' "$work/out"
expect cancel_again 3 "$bin" cancel --db "$db" $now --id "$new_id"
expect cancel_missing 3 "$bin" cancel --db "$db" $now --id 999999
expect cancel_bad_id 2 "$bin" cancel --db "$db" --id abc

expect agenda_week_json 0 "$bin" agenda --db "$db" $now --week --date 2026-03-30 --json &&
	check agenda_week_json jq -e '(.from == "2026-03-30T00:00:00+02:00") and (.appointments | length >= 5) and (.appointments | map(.start) | . == sort)' "$work/out"
expect agenda_human_fr 0 "$bin" agenda --db "$db" $now --date 2026-03-30 &&
	check agenda_human_fr grep -q "lundi 30 mars 2026 à 10 h 00" "$work/out"
expect agenda_human_en 0 "$bin" agenda --db "$db" $now --date 2026-03-30 --lang en &&
	check agenda_human_en grep -q "Monday 30 March 2026 at 10:00" "$work/out"
# A week with nothing booked (the demo's appointments start the week after "now").
expect agenda_empty_week 0 "$bin" agenda --db "$db" $now --week --date 2026-03-16 &&
	check agenda_empty_week grep -q "Aucun rendez-vous" "$work/out"
expect agenda_empty_week_json 0 "$bin" agenda --db "$db" $now --week --date 2026-03-16 --json &&
	check agenda_empty_week_json jq -e '.appointments == []' "$work/out"
expect agenda_bad_date 2 "$bin" agenda --db "$db" --date 2026-02-30

expect missing_db 1 "$bin" agenda --db "$work/none.db" &&
	check missing_db grep -q "permanence init --demo" "$work/err"
printf 'not a database at all, just text that goes on for a while ..............\n' >"$work/bad.db"
expect corrupt_db 1 "$bin" agenda --db "$work/bad.db" &&
	check corrupt_db grep -q "corrupt" "$work/err"
expect bad_now 2 "$bin" slots --db "$db" --now yesterday --type consultation
expect help_en 0 "$bin" book --help --lang en && check help_en grep -q "idempotency-key" "$work/out"
expect unknown_command 2 "$bin" frobnicate

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
