/* Classic pcap (not pcapng) parsing down to RTP payloads. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_rtp.h"

#define PCAP_MAX_RECORD 262144u

enum link_type {
	LINK_NULL = 0,
	LINK_ETHERNET = 1,
	LINK_RAW = 101,
	LINK_LINUX_SLL = 113,
};

struct cursor {
	const uint8_t *data;
	size_t size;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t read32(const uint8_t *p, bool swapped)
{
	if (swapped)
		return be32(p);
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Skip the link layer; returns false when the frame does not carry IP. */
static bool strip_link(struct cursor *c, uint32_t link)
{
	uint16_t ethertype;
	size_t header;

	switch (link) {
	case LINK_ETHERNET:
		if (c->size < 14)
			return false;
		ethertype = be16(c->data + 12);
		header = 14;
		while (ethertype == 0x8100 && c->size >= header + 4) {  /* 802.1Q tags */
			ethertype = be16(c->data + header + 2);
			header += 4;
		}
		if (ethertype != 0x0800 && ethertype != 0x86DD)
			return false;
		break;
	case LINK_LINUX_SLL:
		if (c->size < 16)
			return false;
		ethertype = be16(c->data + 14);
		if (ethertype != 0x0800 && ethertype != 0x86DD)
			return false;
		header = 16;
		break;
	case LINK_NULL:
		header = 4;
		break;
	case LINK_RAW:
		header = 0;
		break;
	default:
		return false;
	}
	if (c->size < header)
		return false;
	c->data += header;
	c->size -= header;
	return true;
}

/* Skip IPv4 or IPv6 and UDP; returns false for anything else. */
static bool strip_ip_udp(struct cursor *c)
{
	size_t header, total, udp_len;

	if (c->size < 1)
		return false;
	if (c->data[0] >> 4 == 4) {
		if (c->size < 20)
			return false;
		header = (size_t)(c->data[0] & 0x0F) * 4;
		total = be16(c->data + 2);
		if (header < 20 || total < header || total > c->size || c->data[9] != 17)
			return false;
		if ((be16(c->data + 6) & 0x3FFF) != 0)  /* fragment */
			return false;
		c->size = total;
	} else if (c->data[0] >> 4 == 6) {
		if (c->size < 40 || c->data[6] != 17)
			return false;
		header = 40;
		total = 40 + (size_t)be16(c->data + 4);
		if (total > c->size)
			return false;
		c->size = total;
	} else {
		return false;
	}
	c->data += header;
	c->size -= header;
	if (c->size < 8)
		return false;
	udp_len = be16(c->data + 4);
	if (udp_len < 8 || udp_len > c->size)
		return false;
	c->data += 8;
	c->size = udp_len - 8;
	return true;
}

static int append_payload(struct pcap_rtp_stream *stream, const uint8_t *data, size_t size,
			  size_t *capacity)
{
	if (stream->payload_size + size > *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 4096;
		uint8_t *p;

		while (grown < stream->payload_size + size)
			grown *= 2;
		p = realloc(stream->payload, grown);
		if (!p)
			return ENOMEM;
		stream->payload = p;
		*capacity = grown;
	}
	memcpy(stream->payload + stream->payload_size, data, size);
	stream->payload_size += size;
	return 0;
}

/* Take one UDP payload; returns 0 when kept or skipped, ENOMEM on failure. */
static int take_rtp(struct pcap_rtp_stream *stream, struct cursor c, unsigned payload_type,
		    size_t *capacity)
{
	size_t header;
	uint16_t seq;
	uint32_t ssrc;

	if (c.size < 12 || c.data[0] >> 6 != 2 || (c.data[1] & 0x7F) != payload_type)
		goto skip;
	header = 12 + (size_t)(c.data[0] & 0x0F) * 4;
	if (c.data[0] & 0x10) {  /* header extension */
		if (c.size < header + 4)
			goto skip;
		header += 4 + (size_t)be16(c.data + header + 2) * 4;
	}
	if (c.size < header)
		goto skip;
	if (c.data[0] & 0x20) {  /* padding: the last byte counts it */
		size_t pad = c.data[c.size - 1];

		if (pad == 0 || pad > c.size - header)
			goto skip;
		c.size -= pad;
	}
	seq = be16(c.data + 2);
	ssrc = be32(c.data + 8);
	if (stream->packets == 0) {
		stream->ssrc = ssrc;
		stream->first_seq = seq;
	} else if (ssrc != stream->ssrc) {
		goto skip;
	} else if (seq != (uint16_t)(stream->last_seq + 1)) {
		stream->seq_gaps++;
	}
	stream->last_seq = seq;
	stream->packets++;
	return append_payload(stream, c.data + header, c.size - header, capacity);
skip:
	stream->skipped++;
	return 0;
}

int pcap_rtp_read_buffer(struct pcap_rtp_stream *stream, const uint8_t *data, size_t size,
			 unsigned payload_type)
{
	bool swapped;
	uint32_t magic, link;
	size_t pos = 24, capacity = 0;
	int err = 0;

	memset(stream, 0, sizeof(*stream));
	if (size < 24)
		return EINVAL;
	magic = read32(data, false);
	if (magic == 0xA1B2C3D4u || magic == 0xA1B23C4Du)
		swapped = false;
	else if (magic == 0xD4C3B2A1u || magic == 0x4D3CB2A1u)
		swapped = true;
	else
		return EINVAL;
	link = read32(data + 20, swapped) & 0x0FFFFFFFu;
	if (link != LINK_ETHERNET && link != LINK_LINUX_SLL && link != LINK_RAW &&
	    link != LINK_NULL)
		return ENOTSUP;

	while (pos < size) {
		uint32_t caplen;
		struct cursor c;

		if (size - pos < 16) {
			err = EINVAL;
			goto out;
		}
		caplen = read32(data + pos + 8, swapped);
		if (caplen > PCAP_MAX_RECORD || caplen > size - pos - 16) {
			err = EINVAL;
			goto out;
		}
		c.data = data + pos + 16;
		c.size = caplen;
		pos += 16 + caplen;
		if (!strip_link(&c, link) || !strip_ip_udp(&c)) {
			stream->skipped++;
			continue;
		}
		err = take_rtp(stream, c, payload_type, &capacity);
		if (err)
			goto out;
	}
	if (stream->packets == 0)
		err = ENOENT;
out:
	if (err)
		pcap_rtp_stream_free(stream);
	return err;
}

int pcap_rtp_read_file(struct pcap_rtp_stream *stream, const char *path, unsigned payload_type)
{
	FILE *file;
	uint8_t *data = NULL;
	long size;
	int err = 0;

	memset(stream, 0, sizeof(*stream));
	file = fopen(path, "rb");
	if (!file)
		return errno;
	if (fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 ||
	    fseek(file, 0, SEEK_SET) != 0) {
		err = EIO;
		goto out;
	}
	if ((unsigned long)size > PCAP_RTP_MAX_FILE) {
		err = EFBIG;
		goto out;
	}
	data = malloc(size ? (size_t)size : 1);
	if (!data) {
		err = ENOMEM;
		goto out;
	}
	if (fread(data, 1, (size_t)size, file) != (size_t)size) {
		err = EIO;
		goto out;
	}
	err = pcap_rtp_read_buffer(stream, data, (size_t)size, payload_type);
out:
	free(data);
	fclose(file);
	return err;
}

void pcap_rtp_stream_free(struct pcap_rtp_stream *stream)
{
	free(stream->payload);
	memset(stream, 0, sizeof(*stream));
}
