/* Eight bytes read as one integer, in a stated byte order: for comparing text, and hashing it, a word at a time. */
#ifndef WICKED_PLATFORM_PREFILTER_BYTES_H
#define WICKED_PLATFORM_PREFILTER_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint64_t native_64(const unsigned char *at) {
    uint64_t value;
    memcpy(&value, at, 8);
    return value;
}

/* big_endian_64: the first byte most significant, so integers compare as the bytes do.
 * little_endian_64: the first byte least significant, so `value >> 8 * k` starts at byte k. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline uint64_t big_endian_64(const unsigned char *at) { return native_64(at); }
static inline uint64_t little_endian_64(const unsigned char *at) { return __builtin_bswap64(native_64(at)); }
#else
static inline uint64_t big_endian_64(const unsigned char *at) { return __builtin_bswap64(native_64(at)); }
static inline uint64_t little_endian_64(const unsigned char *at) { return native_64(at); }
#endif

#endif
