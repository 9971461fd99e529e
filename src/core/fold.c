#include "fold.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>

/*
 * A UTransliterator is not thread-safe and costs about a millisecond to build, so each
 * thread builds one on first use and keeps it until it exits.
 */
static pthread_key_t folder_key;
static pthread_once_t folder_key_once = PTHREAD_ONCE_INIT;

/* A compound transform id: ICU chains these standard transforms in order. */
static const char fold_transform_id[] = "NFD; [:Nonspacing Mark:] Remove; Latin-ASCII; Lower; NFC";

static void close_folder(void *trans)
{
	utrans_close(trans);
}

static void create_folder_key(void)
{
	pthread_key_create(&folder_key, close_folder);
}

static UTransliterator *folder(void)
{
	UChar id[sizeof(fold_transform_id)];
	UErrorCode status = U_ZERO_ERROR;
	UTransliterator *trans;

	pthread_once(&folder_key_once, create_folder_key);
	trans = pthread_getspecific(folder_key);
	if (trans)
		return trans;
	u_uastrcpy(id, fold_transform_id);
	trans = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
	if (U_FAILURE(status))
		return NULL;
	pthread_setspecific(folder_key, trans);
	return trans;
}

static int fold_ascii(const char *in, size_t len, char *out, size_t size)
{
	if (len + 1 > size) {
		out[0] = '\0';
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[len] = '\0';
	return (int)len;
}

int text_fold(const char *in, char *out, size_t size)
{
	size_t len = strlen(in);
	bool ascii = true;
	UErrorCode status = U_ZERO_ERROR;
	UTransliterator *trans;
	UChar stack_buf[512];
	UChar *buf = stack_buf;
	int32_t capacity = 512, length = 0, limit;
	int32_t written = 0;
	int result = -1;

	if (size == 0)
		return -1;
	for (size_t i = 0; i < len && ascii; i++)
		ascii = (unsigned char)in[i] < 0x80;
	if (ascii)
		return fold_ascii(in, len, out, size);

	trans = folder();
	if (!trans)
		goto out;
	/* Folding can lengthen text ("œ" -> "oe"); leave room for that. */
	if (len * 2 + 16 > (size_t)capacity) {
		if (len > 1u << 24)
			goto out;
		capacity = (int32_t)(len * 2 + 16);
		buf = malloc((size_t)capacity * sizeof(UChar));
		if (!buf)
			goto out;
	}
	u_strFromUTF8WithSub(buf, capacity, &length, in, (int32_t)len, 0xFFFD, NULL, &status);
	if (U_FAILURE(status))
		goto out;
	limit = length;
	utrans_transUChars(trans, buf, &length, capacity, 0, &limit, &status);
	if (U_FAILURE(status))
		goto out;
	u_strToUTF8(out, (int32_t)size, &written, buf, length, &status);
	if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING ||
	    (size_t)written >= size)
		goto out;
	result = written;
out:
	if (buf != stack_buf)
		free(buf);
	if (result < 0)
		out[0] = '\0';
	return result;
}
