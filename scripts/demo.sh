#!/bin/sh
# permanence in one command: install the Debian packages, build, create the demo practice
# in a work folder, start `permanence serve` on loopback with call recording on, and place
# demo calls with sipp (Debian's SIP tester) that book appointments: one in English by
# speech (pocketsphinx), one in French with the keypad. After each call, print its
# transcript and the booking; then stop the server and say where everything is.
#
#   scripts/demo.sh                 both calls, explained in French
#   scripts/demo.sh --lang en       both calls, explained in English
#   scripts/demo.sh --keypad        only the French keypad call
#   scripts/demo.sh --speech        only the English spoken call
#
# Options: --work DIR (default: ./demo-work), --sip-port N (default 5060), --no-install
# (skip apt-get), --no-build (use the build folder as it is). Everything listens on
# 127.0.0.1 only.
set -eu

lang=fr
calls="keypad speech"
install=1
build=1
port=5060
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(pwd)/demo-work

usage() {
	sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case "$1" in
	--speech) calls=speech ;;
	--keypad) calls=keypad ;;
	--lang)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		lang=$2; shift ;;
	--work)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		work=$2; shift ;;
	--sip-port)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		port=$2; shift ;;
	--no-install) install=0 ;;
	--no-build) build=0 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "demo: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case "$lang" in
fr|en) ;;
*) echo "demo: --lang takes fr or en" >&2; exit 2 ;;
esac
case "$port" in
''|*[!0-9]*) echo "demo: --sip-port takes a port number" >&2; exit 2 ;;
esac

# say "French" "English": one line in the demo's language.
say() {
	if [ "$lang" = en ]; then printf '%s\n' "$2"; else printf '%s\n' "$1"; fi
}
step() {
	printf '\n== '
	say "$1" "$2"
}
fail() {
	printf 'demo: '
	say "$1" "$2" >&2
	exit 1
}

bin=$root/build-demo/src/cli/permanence
server=

stop_server() {
	if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
		kill -TERM "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	server=
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

# 1. Packages and build.
if [ "$install" -eq 1 ]; then
	step "Paquets Debian (scripts/install-deps.sh)" "Debian packages (scripts/install-deps.sh)"
	sh "$root/scripts/install-deps.sh"
fi
if [ "$build" -eq 1 ] || [ ! -x "$bin" ]; then
	step "Compilation (build-demo/)" "Build (build-demo/)"
	mkdir -p "$root/build-demo"
	if ! { cmake -S "$root" -B "$root/build-demo" -DCMAKE_BUILD_TYPE=Release &&
		cmake --build "$root/build-demo" --target permanence -j "$(nproc)"; } \
		>"$root/build-demo/demo-build.log" 2>&1; then
		tail -n 20 "$root/build-demo/demo-build.log" >&2
		fail "la compilation a échoué (voir build-demo/demo-build.log)" \
			"the build failed (see build-demo/demo-build.log)"
	fi
fi
for tool in sipp sox flite jq; do
	command -v "$tool" >/dev/null 2>&1 ||
		fail "$tool est introuvable : lancez le script sans --no-install" \
			"$tool is missing: run the script without --no-install"
done

# 2. The demo practice.
step "Cabinet de démonstration dans $work" "Demo practice in $work"
rm -rf "$work"
mkdir -p "$work/recordings"
"$bin" init --demo --db "$work/demo.db" --lang "$lang" >/dev/null
sed_escape() { printf '%s' "$1" | sed 's/[&|]/\\&/g'; }
served=0

# start_server LANG: serve the demo practice on loopback, calls starting in LANG.
start_server() {
	cat >"$work/permanence.conf" <<EOF
# Written by scripts/demo.sh: the demo practice on loopback, calls recorded.
[practice]
db = $work/demo.db
language = $1
[sip]
listen = 127.0.0.1:$port
[http]
listen = off
[calls]
recording = on
recordings_dir = $work/recordings
shutdown_grace = 10
[log]
level = info
EOF
	step "Démarrage : permanence serve --config $work/permanence.conf" \
		"Starting: permanence serve --config $work/permanence.conf"
	served=$((served + 1))
	"$bin" serve --config "$work/permanence.conf" >>"$work/serve.log" 2>&1 &
	server=$!
	waited=0
	until [ "$(grep -c "taking calls" "$work/serve.log" 2>/dev/null)" -ge "$served" ]; do
		if ! kill -0 "$server" 2>/dev/null; then
			tail -n 5 "$work/serve.log" >&2
			server=
			fail "le serveur s'est arrêté (voir $work/serve.log)" \
				"the server stopped (see $work/serve.log)"
		fi
		waited=$((waited + 1))
		[ "$waited" -lt 600 ] || fail "le serveur ne répond pas" "the server does not answer"
		sleep 0.1
	done
	say "Serveur prêt (PID $server), SIP sur 127.0.0.1:$port, appels en $1, enregistrés." \
		"Server ready (PID $server), SIP on 127.0.0.1:$port, calls in $1, recorded."
}

# keypad_scenario: Sophie Durand books with the keypad, in French.
keypad_scenario() {
	step "Appel de démonstration : Sophie Durand prend rendez-vous au clavier, en français (sipp)" \
		"Demo call: Sophie Durand books an appointment with the keypad, in French (sipp)"
	say "  touches : 1 rendez-vous, 1 pour Sophie, 9 n'importe quel médecin, 1 premiers créneaux," \
		"  keys: 1 book, 1 for Sophie, 9 any doctor, 1 first free slots,"
	say "            1 le premier créneau, 1 je confirme, 2 c'est tout" \
		"        1 the first slot, 1 confirm, 2 nothing else"
	sox -n -r 8000 -c 1 -t al "$work/line-noise.al" synth 90 whitenoise vol 0.002
	keys=""
	cseq=2
	for step_key in 4000:1 4000:1 5000:9 4000:1 5000:1 6000:1 6000:2; do
		part=$(sed -e "s|@PAUSE_MS@|${step_key%%:*}|" -e "s|@KEY@|${step_key##*:}|" \
			-e "s|@CSEQ@|$cseq|" "$root/scripts/demo/key.xml")
		keys="$keys
$part"
		cseq=$((cseq + 1))
	done
	printf '%s\n' "$keys" >"$work/keys.part"
	sed -e "s|@NOISE@|$(sed_escape "$work/line-noise.al")|" \
		-e "/@KEYS@/{r $work/keys.part" -e "d}" \
		"$root/scripts/demo/keypad.xml" >"$work/caller-keypad.xml"
	rm -f "$work/keys.part"
}

# speech_scenario: Thomas Girard books by speech, in English (his voice is flite's).
speech_scenario() {
	step "Appel de démonstration : Thomas Girard prend rendez-vous à la voix, en anglais (sipp, flite)" \
		"Demo call: Thomas Girard books an appointment by speech, in English (sipp, flite)"
	# What he says, and the silence before each sentence (the first one cuts the greeting,
	# the others come as the next question starts).
	set -- 3 "i would like to make an appointment" \
		4 "thomas girard" \
		4 "doctor martin" \
		4 "friday afternoon" \
		4 "the first one" \
		4 "yes please" \
		4 "no thank you"
	parts=""
	n=0
	while [ $# -ge 2 ]; do
		n=$((n + 1))
		say "  il dit : « $2 »" "  he says: \"$2\""
		flite -voice rms --setf duration_stretch=1.1 -t "$2" -o "$work/said-$n-raw.wav"
		sox "$work/said-$n-raw.wav" -r 8000 -c 1 -b 16 "$work/said-$n.wav" \
			silence 1 0.02 1% reverse silence 1 0.02 1% reverse
		sox -n -r 8000 -c 1 -b 16 "$work/pause-$n.wav" trim 0 "$1"
		parts="$parts $work/pause-$n.wav $work/said-$n.wav"
		shift 2
	done
	sox -n -r 8000 -c 1 -b 16 "$work/pause-end.wav" trim 0 30
	# shellcheck disable=SC2086
	sox $parts "$work/pause-end.wav" -t al "$work/caller-speech.al"
	rm -f "$work"/said-*.wav "$work"/pause-*.wav
	sed -e "s|@AUDIO@|$(sed_escape "$work/caller-speech.al")|" \
		"$root/scripts/demo/speech.xml" >"$work/caller-speech.xml"
}

# show_call KIND: the last call's transcript and booking; false when nothing was booked.
show_call() {
	"$bin" calls --db "$work/demo.db" --json --limit 1 >"$work/call-$1.json"
	call_id=$(jq -r '.calls[0].id' "$work/call-$1.json")
	step "Transcription de l'appel $call_id" "Transcript of call $call_id"
	if [ "$lang" = en ]; then
		words='{"caller": "caller   ", "assistant": "assistant", "digits": "keys",
			"answered": "(answers)", "silence": "(silence)", "hangup": "(hangs up)",
			"barge_in": "(speaks over the assistant)", "end": "(hangs up)",
			"transfer": "(transfers the call)", "transfer_result": "(transfer:"}'
	else
		words='{"caller": "appelant ", "assistant": "assistant", "digits": "touches",
			"answered": "(décroche)", "silence": "(silence)", "hangup": "(raccroche)",
			"barge_in": "(coupe la parole)", "end": "(raccroche)",
			"transfer": "(transfère l'"'"'appel)", "transfer_result": "(transfert :"}'
	fi
	jq -r --argjson w "$words" '
		.calls[0].transcript[] |
		(if .speaker == "caller" then $w.caller else $w.assistant end) + "  " +
		(if .kind == "digits" then $w.digits + " " + .text
		 elif .kind == "utterance" then "« " + .text + " »"
		 elif .kind == "transfer_result" then $w.transfer_result + " " + .text + ")"
		 elif .kind == "say" or .kind == "ask" then .text
		 else ($w[.kind] // "(" + .kind + ")") end)' "$work/call-$1.json"
	outcome=$(jq -r '.calls[0].outcome' "$work/call-$1.json")
	start=$(jq -r '[.calls[0].summary.actions[] | select(.kind == "book")][0].start // empty' \
		"$work/call-$1.json")
	step "Résultat : $outcome" "Outcome: $outcome"
	if [ -n "$start" ]; then
		"$bin" agenda --db "$work/demo.db" --lang "$lang" \
			--date "$(printf '%s' "$start" | cut -c1-10)"
	fi
	say "  enregistrements WAV   $work/recordings/$call_id-caller.wav (appelant)" \
		"  WAV recordings        $work/recordings/$call_id-caller.wav (caller)"
	say "                        $work/recordings/$call_id-assistant.wav (assistant)" \
		"                        $work/recordings/$call_id-assistant.wav (assistant)"
	[ "$outcome" = booked ]
}

# 3. The calls: for each, a server in the call's language and sipp as the caller.
failed=0
for kind in $calls; do
	if [ "$kind" = speech ]; then call_lang=en; else call_lang=fr; fi
	start_server "$call_lang"
	"${kind}_scenario"
	say "  (l'appel dure moins d'une minute...)" "  (the call takes under a minute...)"
	if ! sipp "127.0.0.1:$port" -sf "$work/caller-$kind.xml" -m 1 -i 127.0.0.1 -p 5062 \
		-mi 127.0.0.1 -mp 6000 -nostdin -timeout 150s -timeout_error -trace_err \
		-error_file "$work/sipp-errors-$kind.log" >"$work/sipp-$kind.log" 2>&1; then
		say "L'appel ne s'est pas terminé comme prévu ; voir $work/sipp-errors-$kind.log et $work/serve.log" \
			"The call did not end as expected; see $work/sipp-errors-$kind.log and $work/serve.log" >&2
	fi
	stop_server
	show_call "$kind" || failed=$((failed + 1))
done

step "Où tout se trouve" "Where everything is"
say "  base de données       $work/demo.db" "  database              $work/demo.db"
say "  enregistrements WAV   $work/recordings/" "  WAV recordings        $work/recordings/"
say "  journal du serveur    $work/serve.log" "  server log            $work/serve.log"
say "  scénarios sipp        $work/caller-*.xml" "  sipp scenarios        $work/caller-*.xml"
say "  les appels en JSON    $work/call-*.json" "  the calls as JSON     $work/call-*.json"
say "Pour rejouer : $bin serve --config $work/permanence.conf, puis appelez sip:127.0.0.1:$port" \
	"To try it yourself: $bin serve --config $work/permanence.conf, then call sip:127.0.0.1:$port"
[ "$failed" -eq 0 ]
