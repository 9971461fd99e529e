/*
 * The media path of a call: one RTP/RTCP socket pair, G.711 both ways, RFC 4733 keys,
 * a jitter buffer for what arrives and a bounded queue for what we send.
 *
 * Every 20 ms (a drift-free schedule from media/pacer.h) the tick takes one frame from
 * the jitter buffer for the `audio` callback and sends one frame from the playback queue,
 * or comfort noise when the queue is empty. The tick also enforces the RTP timeout.
 * The user agent's media driver (call_driver.h) runs the ticks of every call.
 */
#include "sip_priv.h"
#include "tone.h"

#include <string.h>

/* Longest RTP payload decoded: 60 ms of G.711. Longer packets are ignored. */
#define RX_PAYLOAD_MAX 480
/* Comfort noise level when nothing is queued for playback: a quiet line. */
#define COMFORT_NOISE_DB -70.0

static void mark_destructor(void *arg)
{
	struct call_mark *mark = arg;

	list_unlink(&mark->le);
}

/* Fire the marks that playback has reached (or all of them, not completed). */
static void marks_fire(struct sip_call *call, bool flushed)
{
	struct call_media *m = &call->media;

	while (m->marks.head) {
		struct call_mark *mark = m->marks.head->data;
		uint64_t id = mark->mark;

		if (!flushed && mark->position > m->played)
			break;
		mem_deref(mark);
		if (call->ua->handler.mark)
			call->ua->handler.mark(call, id, !flushed, call->arg);
		if (call->state == CALL_CLOSING)
			return;
	}
}

static void send_frame(struct sip_call *call)
{
	struct call_media *m = &call->media;
	int16_t pcm[SIP_FRAME_SAMPLES];
	struct media_comfort_noise *noise = &m->noise;
	size_t taken;
	int err;

	taken = media_queue_pop(m->playq, pcm, SIP_FRAME_SAMPLES);
	m->played += taken;
	if (taken < SIP_FRAME_SAMPLES)
		media_comfort_noise_fill(noise, pcm + taken, SIP_FRAME_SAMPLES - taken);

	if (m->send && m->remote_set) {
		m->tx_mb->pos = RTP_HEADER_SIZE;
		m->tx_mb->end = RTP_HEADER_SIZE + SIP_FRAME_SAMPLES;
		(void)media_g711_encode(m->codec, pcm, SIP_FRAME_SAMPLES,
					m->tx_mb->buf + RTP_HEADER_SIZE);
		err = rtp_send(m->rtp, &m->remote, false, m->tx_first, m->codec_pt, m->tx_ts,
			       m->tx_mb);
		if (err) {
			if (m->tx_errors++ == 0)
				log_warning(SIP_LOG, call->call_id, "RTP send to %s port %u failed: %s",
					    call->choice.address, call->choice.port, strerror(err));
		} else {
			m->tx_packets++;
			m->tx_first = false;
		}
	}
	m->tx_ts += SIP_FRAME_SAMPLES;

	if (m->marks.head)
		marks_fire(call, false);
}

static void receive_frame(struct sip_call *call)
{
	int16_t pcm[SIP_FRAME_SAMPLES];

	if (!sip_jitter_get(&call->media.jitter, pcm, SIP_FRAME_SAMPLES))
		return;
	if (call->ua->handler.audio)
		call->ua->handler.audio(call, pcm, SIP_FRAME_SAMPLES, call->arg);
}

static bool rtp_timed_out(struct sip_call *call)
{
	struct call_media *m = &call->media;
	uint64_t now = tmr_jiffies();

	/* On hold the far end sends nothing on purpose: count from when it resumes. */
	if (!m->receive || !call->ua->cfg.rtp_timeout_s) {
		m->last_rx_ms = now;
		return false;
	}
	return now - m->last_rx_ms > (uint64_t)call->ua->cfg.rtp_timeout_s * 1000;
}

static void tick_handler(struct call_driver_entry *entry, int64_t now, void *arg)
{
	struct sip_call *call = arg;
	struct call_media *m = &call->media;
	int64_t next;
	(void)entry;
	unsigned due;
	uint64_t skipped;

	media_pacer_poll(&m->pacer, now, &due, &skipped, &next);
	if (skipped) {
		m->tx_ts += (uint32_t)(skipped * SIP_FRAME_SAMPLES);
		m->tx_first = true;
		log_warning(SIP_LOG, call->call_id, "media tick fell behind; %llu frames skipped",
			    (unsigned long long)skipped);
	}

	for (unsigned i = 0; i < due; i++) {
		receive_frame(call);
		if (call->state != CALL_ESTABLISHED)
			return;
		send_frame(call);
		if (call->state != CALL_ESTABLISHED)
			return;
	}

	if (rtp_timed_out(call)) {
		log_warning(SIP_LOG, call->call_id, "no RTP for %u s: hanging up",
			    call->ua->cfg.rtp_timeout_s);
		call_end(call, SIP_END_RTP_TIMEOUT);
		return;
	}

	call_driver_schedule(call->ua->media_driver, &m->tick, next);
}

static enum media_codec codec_of(const struct call_media *m, uint8_t pt)
{
	if (pt == m->codec_pt)
		return m->codec;
	return pt == 8 ? MEDIA_CODEC_PCMA : MEDIA_CODEC_PCMU;
}

static void rtp_handler(const struct sa *src, const struct rtp_header *hdr, struct mbuf *mb,
			void *arg)
{
	struct sip_call *call = arg;
	struct call_media *m = &call->media;
	size_t len = mbuf_get_left(mb);
	int16_t pcm[RX_PAYLOAD_MAX];
	char digit;
	(void)src;

	if (call->state == CALL_CLOSING)
		return;
	m->last_rx_ms = tmr_jiffies();
	m->rx_packets++;

	if (m->dtmf_pt >= 0 && hdr->pt == m->dtmf_pt) {
		if (sip_dtmf_rx_packet(&m->dtmf, hdr->ssrc, hdr->ts, hdr->m, mbuf_buf(mb), len,
				       &digit) != 1)
			return;
		log_debug(SIP_LOG, call->call_id, "key '%c' by RFC 4733", digit);
		if (call->state == CALL_ESTABLISHED && call->ua->handler.digit)
			call->ua->handler.digit(call, digit, SIP_DIGIT_RFC4733, call->arg);
		return;
	}

	if ((hdr->pt == m->codec_pt || hdr->pt == 0 || hdr->pt == 8) && len &&
	    len <= RX_PAYLOAD_MAX) {
		(void)media_g711_decode(codec_of(m, hdr->pt), mbuf_buf(mb), len, pcm);
		sip_jitter_put(&m->jitter, hdr->ssrc, hdr->ts, pcm, len);
		return;
	}
	m->rx_ignored++;
}

int call_media_alloc(struct sip_call *call)
{
	struct sip_ua *ua = call->ua;
	struct call_media *m = &call->media;
	int err;

	list_init(&m->marks);
	call_driver_entry_init(&m->tick, tick_handler, call);
	m->dtmf_pt = -1;
	m->tx_first = true;
	m->tx_ts = rand_u32();
	sip_dtmf_rx_reset(&m->dtmf);
	sip_jitter_init(&m->jitter, ua->cfg.jitter_ms * (SIP_AUDIO_RATE / 1000));
	(void)media_comfort_noise_init(&m->noise, COMFORT_NOISE_DB, rand_u32());

	err = rtp_listen(&m->rtp, IPPROTO_UDP, &ua->laddr, ua->cfg.rtp_port_min,
			 ua->cfg.rtp_port_max, true, rtp_handler, NULL, call);
	if (err)
		return err;
	m->local = *rtp_local(m->rtp);

	err = media_queue_create(&m->playq, (size_t)ua->cfg.playback_max_s * SIP_AUDIO_RATE);
	if (err)
		return err;

	m->tx_mb = mbuf_alloc(RTP_HEADER_SIZE + SIP_FRAME_SAMPLES);
	return m->tx_mb ? 0 : ENOMEM;
}

int call_media_apply(struct sip_call *call, const struct sip_sdp_choice *choice)
{
	struct call_media *m = &call->media;
	struct sa remote, remote_rtcp;
	int err;

	err = sa_set_str(&remote, choice->address, choice->port);
	if (err)
		return EINVAL; /* a host name, which SDP allows but we do not resolve */
	if (sa_af(&remote) != sa_af(&m->local))
		return EAFNOSUPPORT;
	remote_rtcp = remote;
	sa_set_port(&remote_rtcp, choice->rtcp_port);

	m->remote = remote;
	m->remote_rtcp = remote_rtcp;
	m->remote_set = true;
	m->codec = choice->alaw ? MEDIA_CODEC_PCMA : MEDIA_CODEC_PCMU;
	m->codec_pt = (uint8_t)choice->codec_pt;
	m->dtmf_pt = choice->dtmf_pt;
	/* The far end receives our audio unless its SDP declared sendonly or inactive. */
	m->send = (choice->dir & SIP_SDP_RECVONLY) != 0;
	m->receive = (choice->dir & SIP_SDP_SENDONLY) != 0;
	return 0;
}

void call_media_start(struct sip_call *call)
{
	struct call_media *m = &call->media;
	char cname[64];
	int64_t now;

	if (m->running || !m->rtp)
		return;
	m->running = true;
	m->last_rx_ms = tmr_jiffies();
	now = call_driver_now_ns();
	(void)media_pacer_start(&m->pacer, now, MEDIA_PACER_PERIOD_NS, MEDIA_PACER_MAX_LAG_NS,
				MEDIA_PACER_LATE_NS);

	if (!m->rtcp_started && m->remote_set) {
		snprintf(cname, sizeof(cname), "permanence-%llu", (unsigned long long)call->number);
		rtcp_start(m->rtp, cname, &m->remote_rtcp);
		m->rtcp_started = true;
	}
	/* The first frame goes at once, as the first tick of a timer would send it. */
	tick_handler(&m->tick, now, call);
}

void call_media_stop(struct sip_call *call)
{
	call->media.running = false;
	call_driver_cancel(call->ua->media_driver, &call->media.tick);
}

void call_media_close(struct sip_call *call)
{
	struct call_media *m = &call->media;

	call_media_stop(call);
	list_flush(&m->marks);
	m->rtp = mem_deref(m->rtp);
	m->tx_mb = mem_deref(m->tx_mb);
	media_queue_destroy(m->playq);
	m->playq = NULL;
}

/* Application interface. */

int sip_call_play(struct sip_call *call, const int16_t *pcm, size_t samples)
{
	struct call_media *m;

	if (!call || (!pcm && samples))
		return EINVAL;
	if (call->state == CALL_CLOSING || !call->media.playq)
		return ENOTCONN;
	m = &call->media;
	if (samples > media_queue_space(m->playq))
		return EOVERFLOW;
	if (media_queue_push(m->playq, pcm, samples, NULL))
		return EOVERFLOW;
	m->queued += samples;
	return 0;
}

int sip_call_mark(struct sip_call *call, uint64_t id)
{
	struct call_mark *mark;

	if (!call)
		return EINVAL;
	if (call->state == CALL_CLOSING)
		return ENOTCONN;
	mark = mem_zalloc(sizeof(*mark), mark_destructor);
	if (!mark)
		return ENOMEM;
	mark->position = call->media.queued;
	mark->mark = id;
	list_append(&call->media.marks, &mark->le, mark);
	return 0;
}

void sip_call_flush(struct sip_call *call)
{
	struct call_media *m;

	if (!call || !call->media.playq)
		return;
	m = &call->media;
	(void)media_queue_flush(m->playq);
	m->played = m->queued;
	if (m->marks.head && call->state != CALL_CLOSING)
		marks_fire(call, true);
}

unsigned sip_call_queued_ms(const struct sip_call *call)
{
	if (!call || !call->media.playq)
		return 0;
	return (unsigned)(media_queue_level(call->media.playq) * 1000 / SIP_AUDIO_RATE);
}
