/*
 * RFC 4733 telephone-event receiver.
 */
#include "sip_dtmf.h"

#include <errno.h>
#include <string.h>

void sip_dtmf_rx_reset(struct sip_dtmf_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

int sip_dtmf_rx_packet(struct sip_dtmf_rx *rx, uint32_t ssrc, uint32_t timestamp,
		       bool marker, const uint8_t *payload, size_t len, char *digit)
{
	static const char keys[] = "0123456789*#ABCD";
	uint8_t event;
	bool end, same;

	if (!rx || !payload || !digit)
		return EINVAL;
	if (len < 4)
		return EBADMSG;

	/* Payload: event (8 bits), E bit, R bit, volume (6 bits), duration (16 bits). */
	event = payload[0];
	end = (payload[1] & 0x80) != 0;

	same = rx->active && rx->ssrc == ssrc && rx->timestamp == timestamp &&
	       rx->event == event;
	if (same && !(marker && rx->ended && !end)) {
		if (end)
			rx->ended = true;
		return 0;
	}

	rx->active = true;
	rx->ended = end;
	rx->ssrc = ssrc;
	rx->timestamp = timestamp;
	rx->event = event;

	if (event >= 16)
		return 0;
	*digit = keys[event];
	return 1;
}
