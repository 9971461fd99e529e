#include "phone.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int phone_to_e164(const char *text, char *out, size_t size)
{
	char digits[32];
	size_t n = 0;
	bool plus = false;
	const char *p = text;

	if (size < 17)
		return EINVAL;
	if (strncmp(p, "tel:", 4) == 0 || strncmp(p, "sip:", 4) == 0)
		p += 4;
	while (*p == ' ')
		p++;
	if (*p == '+') {
		plus = true;
		p++;
	}
	for (; *p && *p != '@' && *p != ';'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == sizeof(digits) - 1)
				return EINVAL;
			digits[n++] = *p;
		} else if (!strchr(" .-()/", *p)) {
			return EINVAL;
		}
	}
	digits[n] = '\0';

	if (!plus && n > 2 && strncmp(digits, "00", 2) == 0) {
		memmove(digits, digits + 2, n - 1);
		n -= 2;
		plus = true;
	}
	if (plus) {
		/* "+33 (0)6 ...": a national trunk zero after a French country code. */
		if (n == 12 && strncmp(digits, "330", 3) == 0) {
			memmove(digits + 2, digits + 3, n - 2);
			n--;
		}
		if (n < 8 || n > 15)
			return EINVAL;
		snprintf(out, size, "+%s", digits);
		return 0;
	}
	if (n == 10 && digits[0] == '0' && digits[1] != '0') {
		snprintf(out, size, "+33%s", digits + 1);
		return 0;
	}
	return EINVAL;
}

void phone_format_national(const char *e164, char *out, size_t size)
{
	if (strlen(e164) == 12 && strncmp(e164, "+33", 3) == 0) {
		const char *d = e164 + 3;

		snprintf(out, size, "0%c %c%c %c%c %c%c %c%c", d[0], d[1], d[2], d[3], d[4], d[5],
			 d[6], d[7], d[8]);
		return;
	}
	snprintf(out, size, "%s", e164);
}
