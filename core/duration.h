/*
 * duration.h - the one duration grammar: "0", or one or more
 * number-unit pairs, the number whole or with a fraction, the unit one of
 * ms, s, m, h, d (24 h), w (7 d): "30s", "1m30s", "1.5h", "7d", "2w".
 * -lock-timeout and pz.retrain.maxAge both read it.
 */
#ifndef PZ_DURATION_H
#define PZ_DURATION_H

/*
 * Milliseconds in text into *ms. PZ_EINVAL with a message when text is
 * not a duration, or when it is one longer than max_ms ("too long").
 */
int pz_duration_parse(const char *text, long long max_ms, long long *ms);

/* ms the way a user writes it: "5m", "30s", "1500ms", "2d". */
void pz_duration_format(long long ms, char *out, unsigned long n);

#endif
