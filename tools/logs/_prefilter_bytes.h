/* Eight bytes read as one integer, in a stated byte order: for comparing text, and hashing it, a word at a time. */
#ifndef WICKED_PLATFORM_PREFILTER_BYTES_H
#define WICKED_PLATFORM_PREFILTER_BYTES_H

#include <stdint.h>
#include <string.h>

/* The first byte most significant: integers compare as the bytes do. */
static inline uint64_t big_endian_64(const unsigned char *at) {
    uint64_t value;
    memcpy(&value, at, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    value = __builtin_bswap64(value);
#endif
    return value;
}

/* The first byte least significant: `value >> 8 * k` starts at byte k. */
static inline uint64_t little_endian_64(const unsigned char *at) {
    uint64_t value;
    memcpy(&value, at, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    value = __builtin_bswap64(value);
#endif
    return value;
}

#endif
