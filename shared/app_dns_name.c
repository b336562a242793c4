/*
 * DNS name decoding with compression (RFC 1035 4.1.4), hardened against
 * hostile messages: every read is bounds-checked, each pointer must land
 * before the start of the run of labels it ends (so targets strictly
 * decrease and no loop can form), and jumps are capped anyway.
 */
#include <errno.h>

#include "app_common.h"
#include "app_dns.h"

/* Real encoders chain a handful of pointers; 32 is far beyond that. */
#define DNS_MAX_JUMPS 32
/* RFC 1035 2.3.4: 255 bytes on the wire, length octets included. */
#define DNS_WIRE_MAX 255

static char label_char(uint8_t c, unsigned flags)
{
	if (c < 0x20 || c == 0x7f)
		return '?';
	if ((flags & APP_DNS_LOWER) && c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return (char)c;
}

int app_dns_name_decode(const uint8_t *msg, size_t len, size_t off, unsigned flags, char *out,
			size_t out_size, uint16_t *text_len, size_t *next)
{
	size_t pos = off, run_start = off, text = 0, wire = 0, end = 0;
	unsigned jumps = 0;

	if (msg == NULL || next == NULL || (out != NULL && out_size == 0))
		return -EINVAL;
	if (out != NULL)
		out[0] = '\0';
	for (;;) {
		uint8_t c;

		if (pos >= len)
			return -EAGAIN;
		c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len)
				return -EAGAIN;
			target = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			if (target >= run_start || ++jumps > DNS_MAX_JUMPS)
				return -EINVAL;
			if (end == 0)
				end = pos + 2;
			pos = run_start = target;
			continue;
		}
		/* 0x40 (extended) and 0x80 (reserved) label types. */
		if (c & 0xc0)
			return -EINVAL;
		wire += (size_t)c + 1;
		if (wire > DNS_WIRE_MAX)
			return -EINVAL;
		if (c == 0)
			break;
		if (!app_fits(pos + 1, c, len))
			return -EAGAIN;
		if (out != NULL) {
			/* The dot, the label and the final NUL. */
			if (text + (text > 0) + c + 1 > out_size)
				return -EINVAL;
			if (text > 0)
				out[text++] = '.';
			for (unsigned i = 0; i < c; i++)
				out[text++] = label_char(msg[pos + 1 + i], flags);
			out[text] = '\0';
		}
		pos += (size_t)c + 1;
	}
	*next = end ? end : pos + 1;
	if (text_len != NULL)
		*text_len = (uint16_t)text;
	return 0;
}
