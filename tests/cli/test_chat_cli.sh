#!/bin/sh
# Drives permanence chat, calls and tasks as a script or a practice's IT would: caller
# lines on standard input, replies on standard output, then the call records and the
# staff's tasks read back, in JSON checked with jq and in text.
# Usage: test_chat_cli.sh PATH-TO-PERMANENCE
set -u

bin=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/permanence-chat-XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

# expect NAME STATUS COMMAND...: the command exits with STATUS; its output is in $work/out.
expect() {
	name=$1 status=$2
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	got=$?
	if [ "$got" -ne "$status" ]; then
		fail "$name" "exit $got, expected $status; stderr: $(cat "$work/err")"
		return 1
	fi
	return 0
}

check() {
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "$* did not hold (stdout: $(cat "$work/out"))"; fi
}

db="$work/demo.db"
now="--now 2026-03-02T09:00:00+01:00"
"$bin" init --demo --db "$db" $now >/dev/null || { echo "FAIL init"; exit 1; }

# A booking from a script: one caller line per line, one reply per line.
printf '%s\n' "je voudrais un rendez-vous avec le docteur Martin jeudi matin" "Nguyen" \
	"le deuxième" "oui" "non merci" >"$work/in"
expect chat_booking 0 sh -c "'$bin' chat --db '$db' $now --caller '06 98 76 54 32' <'$work/in'" &&
	check chat_booking grep -q "C'est noté : vous avez rendez-vous jeudi 5 mars à 9 h 30 avec le docteur Martin." "$work/out"
check chat_booking_end grep -qx "#end" "$work/out"
expect chat_booking_agenda 0 "$bin" agenda --db "$db" $now --date 2026-03-05 --json &&
	check chat_booking_agenda jq -e '[.appointments[] | select(.source == "chat" and .patient.last_name == "Nguyen")] | length == 1' "$work/out"

# Keypad, silence and hang-up lines; the fixed clock moves with #silence and #wait only.
printf '%s\n' "#dtmf 9" "#silence" "#wait 30" "#hangup" "never read" >"$work/in"
expect chat_events 0 sh -c "'$bin' chat --db '$db' $now <'$work/in'" &&
	check chat_events_language grep -qx "#language en" "$work/out"
check chat_events_silence grep -q "Are you still there?" "$work/out"

# An emergency, then the records.
printf '%s\n' "j'ai une douleur dans la poitrine qui irradie dans le bras" >"$work/in"
expect chat_emergency 0 sh -c "'$bin' chat --db '$db' $now --caller 0698765432 <'$work/in'" &&
	check chat_emergency grep -q "appelez le 15" "$work/out"

# A transfer, which the chat answers as #transfer says.
printf '%s\n' "#transfer fail" "je voudrais parler à quelqu'un" "Nguyen" "non merci" >"$work/in"
expect chat_transfer 0 sh -c "'$bin' chat --db '$db' $now --caller 0698765432 <'$work/in'" &&
	check chat_transfer grep -q "#transfer sip:secretariat@127.0.0.1:5070" "$work/out"
check chat_transfer_failed grep -q "Le secrétariat ne répond pas" "$work/out"

expect calls_json 0 "$bin" calls --db "$db" --json &&
	check calls_json jq -e '(.calls | length == 4) and (.calls[0].started >= .calls[3].started) and ([.calls[].outcome] | sort == ["abandoned", "booked", "emergency", "task"]) and (.calls | map(.summary.timings.duration_s != null) | all) and (.calls | map(.transcript | length > 1) | all)' "$work/out"
check calls_json_booking jq -e '.calls[] | select(.outcome == "booked") | .summary.actions[0].practitioner == "Dr Claire Martin"' "$work/out"
check calls_json_emergency jq -e '.calls[] | select(.outcome == "emergency") | .urgency == "emergency" and .summary.urgency.dial == "15"' "$work/out"
expect calls_limit 0 "$bin" calls --db "$db" --json --limit 1 &&
	check calls_limit jq -e '.calls | length == 1' "$work/out"
expect calls_text 0 "$bin" calls --db "$db" &&
	check calls_text grep -q "06 98 76 54 32" "$work/out"
expect calls_bad_limit 2 "$bin" calls --db "$db" --limit 0
expect calls_bad_limit_text 2 "$bin" calls --db "$db" --limit many

expect tasks_json 0 "$bin" tasks --db "$db" --json &&
	check tasks_json jq -e '(.tasks | length == 2) and (.tasks[0].kind == "emergency") and (.tasks[0].priority == 0) and (.tasks[1].kind == "callback") and (.tasks[1].details.callback_number == "+33698765432")' "$work/out"
expect tasks_text_en 0 "$bin" tasks --db "$db" --lang en &&
	check tasks_text_en grep -q "EMERGENCY" "$work/out"
expect tasks_all 0 "$bin" tasks --db "$db" --all --json &&
	check tasks_all jq -e '.tasks | length == 2' "$work/out"
expect tasks_unknown_option 2 "$bin" tasks --db "$db" --urgent

# Bad input: an invalid caller number, an unknown line, an over-long line.
expect chat_bad_caller 2 "$bin" chat --db "$db" --caller "abc"
printf '%s\n' "#frobnicate" "#hangup" >"$work/in"
expect chat_unknown_line 0 sh -c "'$bin' chat --db '$db' $now <'$work/in'" &&
	check chat_unknown_line grep -q "#frobnicate" "$work/err"
head -c 6000 /dev/zero | tr '\0' 'a' >"$work/in"
printf '\n#hangup\n' >>"$work/in"
expect chat_long_line 0 sh -c "'$bin' chat --db '$db' $now <'$work/in'"
expect chat_missing_db 1 "$bin" chat --db "$work/none.db"
expect chat_help 0 "$bin" chat --help --lang en && check chat_help grep -q "#dtmf" "$work/out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
