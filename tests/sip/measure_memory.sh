#!/bin/sh
# Resident memory of the user agent per call. sip_demo (from a Release build) takes
# CALLS calls from sipp, each held 15 s, in a private network namespace. The script prints
# VmRSS before the calls and with all of them up. Needs root (for the namespace), sipp
# and a build: cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release &&
# cmake --build build-rel -j2 --target sip_demo
# Usage: tests/sip/measure_memory.sh [BUILD_DIR] [CALLS]
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build-rel}" && pwd)
calls=${2:-50}
if [ "$calls" -lt 1 ] || [ "$calls" -gt 200 ]; then
	echo "CALLS must be 1 to 200" >&2
	exit 2
fi
if [ "${MEASURE_IN_NETNS:-}" != 1 ]; then
	MEASURE_IN_NETNS=1 exec unshare -n "$0" "$build" "$calls"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ip link set lo up

# The caller offers PCMA to the discard port: the user agent's RTP goes nowhere.
sed -e 's/@FORMATS@/8 101/' -e 's/@EXPECT_PT@/8/' -e 's/@PROBE_PORT@/9/' \
	-e 's/@MEDIA@//' -e 's/@HOLD_MS@/15000/' -e 's/@MEDIA_HOST@/127.0.0.1/' \
	-e 's/@CONTACT_HOST@/127.0.0.1/' \
	"$top/tests/sip/scenarios/uac_call.xml" > "$work/call.xml"

"$build/tests/sip/sip_demo" --listen 127.0.0.1 --port 5080 --rtp-min 20000 \
	--rtp-max 20800 --max-calls "$calls" \
	--prompt "$top/tests/corpus/audio/fsdd_digits_en_8k/0_jackson_0.wav" \
	> "$work/demo.out" 2> "$work/demo.log" &
demo=$!
sleep 1
rss() { awk '/VmRSS/ { print $2 }' "/proc/$demo/status"; }
idle=$(rss)

timeout 60 sipp 127.0.0.1:5080 -sf "$work/call.xml" -m "$calls" -l "$calls" -r 25 \
	-i 127.0.0.1 -p 5090 -mi 127.0.0.1 -mp 6000 -nostdin -timeout 50s \
	> "$work/sipp.out" 2>&1 &
sipp=$!
sleep $((calls / 25 + 3))
busy=$(rss)
up=$(grep -c 'started:' "$work/demo.log" || true)
wait "$sipp" || echo "sipp failed: see its output" >&2
kill -TERM "$demo"
wait "$demo" || true

echo "calls up: $up of $calls"
echo "VmRSS idle: $idle kB, with the calls: $busy kB"
echo "per call: $(( (busy - idle) / calls )) kB"
