/*
 * Receiver for RFC 4733 telephone-event packets: turns the stream of packets that
 * describe each key press into one digit per press.
 *
 * A sender repeats every event: several packets while the key is held (same RTP
 * timestamp, growing duration, the first with the marker bit), then usually three
 * packets with the end bit. One press is one (SSRC, timestamp, event) triple. A packet
 * with the marker bit after an ended event starts a new press even when the timestamp
 * repeats, because a recording played twice repeats its timestamps. The digit is reported on the
 * first packet seen of a press, so a press whose first packets were lost is still
 * reported once, from its later or end packets.
 */
#ifndef PERMANENCE_SIP_DTMF_H
#define PERMANENCE_SIP_DTMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sip_dtmf_rx {
	bool active;	/* a press has been seen */
	bool ended;	/* its end bit has been seen */
	uint32_t ssrc;
	uint32_t timestamp;
	uint8_t event;
};

/* Forget the current press (a new stream). */
void sip_dtmf_rx_reset(struct sip_dtmf_rx *rx);

/*
 * Feed the payload of one telephone-event packet. Returns 1 and sets *digit when the
 * packet begins a new key press. Returns 0 when it belongs to a press already reported
 * or carries an event that is not a key (such as 16, flash), and EBADMSG when the payload
 * is shorter than 4 bytes.
 */
int sip_dtmf_rx_packet(struct sip_dtmf_rx *rx, uint32_t ssrc, uint32_t timestamp,
		       bool marker, const uint8_t *payload, size_t len, char *digit);

#endif
