/*
 * A minimal reader of RTP audio in classic pcap captures, for tests: Ethernet, Linux
 * cooked (SLL), raw IP and BSD loopback link types; IPv4 (unfragmented) and IPv6 without
 * extension headers; UDP; RTP version 2 with CSRCs, a header extension and padding.
 * Packets that are not RTP of the requested payload type are skipped, not errors.
 */
#ifndef PERMANENCE_TEST_PCAP_RTP_H
#define PERMANENCE_TEST_PCAP_RTP_H

#include <stddef.h>
#include <stdint.h>

/* Largest capture file read. */
#define PCAP_RTP_MAX_FILE (16u * 1024u * 1024u)

struct pcap_rtp_stream {
	uint8_t *payload;     /* RTP payloads of the first SSRC seen, concatenated in arrival order */
	size_t payload_size;
	size_t packets;       /* RTP packets kept */
	size_t skipped;       /* capture records that were not such RTP packets */
	uint32_t ssrc;
	uint16_t first_seq;
	uint16_t last_seq;
	size_t seq_gaps;      /* packets whose sequence number did not follow the previous one */
};

/*
 * Read the RTP packets of `payload_type` from the pcap file at `path`. Returns 0, an errno
 * value when the file cannot be read, EFBIG past PCAP_RTP_MAX_FILE, EINVAL when the file
 * is not a classic pcap capture or a record overruns the file, ENOTSUP for another link
 * type, ENOENT when no packet of that payload type was found. Free with
 * pcap_rtp_stream_free().
 */
int pcap_rtp_read_file(struct pcap_rtp_stream *stream, const char *path, unsigned payload_type);
/* Same, from a capture in memory. */
int pcap_rtp_read_buffer(struct pcap_rtp_stream *stream, const uint8_t *data, size_t size,
			 unsigned payload_type);
void pcap_rtp_stream_free(struct pcap_rtp_stream *stream);

#endif
