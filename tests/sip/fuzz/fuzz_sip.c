/*
 * libFuzzer target over the SIP and SDP handling this project owns: the request checks
 * and body handling applied to what libre decodes, and the text parsers, SDP
 * offer/answer, RFC 4733 receiver and jitter buffer fed the raw input directly.
 *
 * Build with clang and -DPERMANENCE_FUZZ=ON; scripts/fuzz-sip.sh runs it for a bounded
 * time. The parsers' sources are compiled into this program so that libFuzzer measures
 * their coverage.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <re.h>

#include "sip_check.h"
#include "sip_dtmf.h"
#include "sip_jitter.h"
#include "sip_sdp.h"
#include "sip_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sdp_round_trip(const char *text, size_t len)
{
	static struct sip_sdp sdp, answer;
	struct sip_sdp_choice choice, back;
	struct sip_sdp_local local = {"192.0.2.1", 20000, 1, 1, SIP_SDP_SENDRECV};
	char out[4096];
	size_t out_len;

	if (sip_sdp_parse(&sdp, text, len))
		return;
	if (sip_sdp_negotiate(&sdp, -1, &choice))
		return;
	(void)sip_sdp_negotiate(&sdp, 1, &choice);
	if (sip_sdp_answer_print(out, sizeof(out), &sdp, &choice, &local, &out_len))
		return;
	/* Our SDP answer must parse again and name the same codec. */
	if (sip_sdp_parse(&answer, out, out_len) || sip_sdp_negotiate(&answer, -1, &back))
		__builtin_trap();
	if (back.codec_pt != choice.codec_pt)
		__builtin_trap();
}

static bool identity_handler(const struct sip_hdr *hdr, const struct sip_msg *msg, void *arg)
{
	char number[SIP_NUMBER_MAX + 1];
	(void)msg;
	(void)arg;

	(void)sip_identity_number(hdr->val.p, hdr->val.l, number, sizeof(number));
	(void)sip_identity_is_tel(hdr->val.p, hdr->val.l);
	return false;
}

static void decoded_message(const uint8_t *data, size_t size)
{
	struct mbuf *mb = mbuf_alloc(size ? size : 1);
	struct sip_msg *msg = NULL;
	struct sip_check check;
	const struct sip_hdr *hdr;
	const char *part;
	size_t part_len, body_len;
	char digit;
	uint16_t scode;

	if (!mb)
		return;
	(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;
	if (sip_msg_decode(&msg, mb))
		goto out;

	if (msg->req)
		sip_check_request(msg, &check);
	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_P_ASSERTED_IDENTITY, identity_handler, NULL);
	hdr = sip_msg_hdr(msg, SIP_HDR_FROM);
	if (hdr)
		(void)identity_handler(hdr, msg, NULL);
	hdr = sip_msg_hdr(msg, SIP_HDR_ACCEPT);
	if (hdr)
		(void)sip_accept_allows(hdr->val.p, hdr->val.l, "application/sdp");

	body_len = mbuf_get_left(msg->mb);
	if (msg_ctype_cmp(&msg->ctyp, "multipart", "mixed") &&
	    !sip_multipart_find(msg->ctyp.params.p, msg->ctyp.params.l,
				(const char *)mbuf_buf(msg->mb), body_len, "application/sdp",
				&part, &part_len))
		sdp_round_trip(part, part_len);
	else if (msg_ctype_cmp(&msg->ctyp, "application", "sdp"))
		sdp_round_trip((const char *)mbuf_buf(msg->mb), body_len);
	(void)sip_dtmf_relay_parse((const char *)mbuf_buf(msg->mb), body_len, &digit);
	(void)sip_sipfrag_status((const char *)mbuf_buf(msg->mb), body_len, &scode);

out:
	mem_deref(msg);
	mem_deref(mb);
}

/* The input as RTP packets: 9-byte records (ssrc, timestamp, marker, payload size). */
static void media_packets(const uint8_t *data, size_t size)
{
	static struct sip_jitter jb;
	static int16_t pcm[SIP_JITTER_CAPACITY];
	struct sip_dtmf_rx rx;
	char digit;

	sip_jitter_init(&jb, 480);
	sip_dtmf_rx_reset(&rx);
	while (size >= 9) {
		uint32_t ssrc = data[0] & 3;
		uint32_t ts = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 |
			      (uint32_t)data[3] << 8 | data[4];
		bool marker = data[5] & 1;
		size_t count = ((size_t)data[6] << 8 | data[7]) % (SIP_JITTER_CAPACITY + 100);

		(void)sip_dtmf_rx_packet(&rx, ssrc, ts, marker, data + 5, 4, &digit);
		memset(pcm, data[8], sizeof(pcm));
		sip_jitter_put(&jb, ssrc, ts, pcm, count);
		(void)sip_jitter_get(&jb, pcm, 160);
		data += 9;
		size -= 9;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char number[SIP_NUMBER_MAX + 1], digit;
	const char *part;
	size_t part_len;
	uint16_t scode;

	decoded_message(data, size);

	sdp_round_trip(text, size);
	(void)sip_identity_number(text, size, number, sizeof(number));
	(void)sip_dtmf_relay_parse(text, size, &digit);
	(void)sip_dtmf_body_parse(text, size, &digit);
	(void)sip_sipfrag_status(text, size, &scode);
	(void)sip_accept_allows(text, size, "application/sdp");
	(void)sip_multipart_find(";boundary=b", 11, text, size, "application/sdp", &part,
				 &part_len);
	media_packets(data, size);
	return 0;
}
