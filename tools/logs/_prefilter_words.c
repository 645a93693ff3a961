/* The vocabulary test: whether a line holds one of a few words, in any ASCII case.
 *
 * Most lines hold none, so the test is built to say no fast, and only where a word's first three bytes
 * may start does it compare exactly (`word_at`). Where the CPU has AVX2, 32 positions at a time: each of
 * the three bytes is looked up by its two nibbles in tables of eight buckets of words (the "Teddy"
 * matcher of Hyperscan), and a position is a candidate when all three agree on a bucket. Elsewhere,
 * eight positions at a time through a hashed table of the words' first three bytes.
 */
#include "_prefilter_words.h"
#include "_prefilter_bytes.h"

#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TEDDY 1
#endif

static int pair_key(const Vocabulary *v, const unsigned char *at) {
    return (v->fold[at[0]] << 8) | v->fold[at[1]];
}

/* Whether one of the words starts at line[i]. */
static int word_at(const Vocabulary *v, const unsigned char *line, size_t length, size_t i) {
    if (i + 2 >= length) return 0;
    int key = pair_key(v, line + i);
    int slot = v->first[key];
    if (!slot) return 0;
    unsigned char next = v->fold[line[i + 2]];
    /* Pairs such as "er" and "se" are in most lines ("server", "service"): the third byte rules them out. */
    if (!(v->third[slot - 1][next >> 3] & (1u << (next & 7)))) return 0;
    for (int k = slot - 1; k < v->count; k++) {
        int w = v->order[k];
        if (pair_key(v, v->words[w]) != key) break;
        size_t n = v->lengths[w];
        if (i + n > length) continue;
        size_t j = 2;
        while (j < n && v->fold[line[i + j]] == v->words[w][j]) j++;
        if (j == n) return 1;
    }
    return 0;
}

/* Three bytes OR 0x20 each (lower case for letters, a few others folded with them), hashed to 16 bits.
 * A word's first three bytes hit in v->triple; other text hits about one position in a thousand. */
static unsigned triple_hash(uint64_t three) {
    return (unsigned)(((uint32_t)(three | 0x202020u) * 2654435761u) >> 16);
}

static int has_word_scalar(const Vocabulary *v, const unsigned char *line, size_t length) {
    size_t i = 0;
    /* Eight positions per step, one branch: the pairs of a word's start are in most lines ("server",
     * "service"), its first three bytes seldom. */
    for (; i + 10 <= length; i += 8) {
        uint64_t low = little_endian_64(line + i), high = little_endian_64(line + i + 2);
        unsigned hit = v->triple[triple_hash(low >> 40 & 0xffffff)] | v->triple[triple_hash(high >> 32 & 0xffffff)]
            | v->triple[triple_hash(high >> 40 & 0xffffff)];
        for (int k = 0; k < 5; k++) hit |= v->triple[triple_hash(low >> (8 * k) & 0xffffff)];
        if (!hit) continue;
        for (size_t j = i; j < i + 8; j++)
            if (word_at(v, line, length, j)) return 1;
    }
    for (; i < length; i++)
        if (word_at(v, line, length, i)) return 1;
    return 0;
}

#ifdef TEDDY
#define BLOCK 32
/* Positions 32 at a time; a block reads two bytes past its last position, so a line shorter than
 * BLOCK + 2 bytes takes the scalar path, and the last block of a line overlaps the one before it. */
__attribute__((target("avx2"))) static int has_word_teddy(const Vocabulary *v, const unsigned char *line, size_t length) {
    if (length < BLOCK + 2) return has_word_scalar(v, line, length);
    const __m256i fold = _mm256_set1_epi8(0x20), nibble = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
    __m256i low[3], high[3];
    for (int k = 0; k < 3; k++) {
        low[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)v->teddy_low[k]));
        high[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)v->teddy_high[k]));
    }
    for (size_t i = 0;; i += BLOCK) {
        if (i + BLOCK + 2 > length) i = length - BLOCK - 2;
        __m256i hit = _mm256_set1_epi8(-1);
        for (int k = 0; k < 3; k++) {
            __m256i bytes = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(line + i + k)), fold);
            __m256i by_low = _mm256_shuffle_epi8(low[k], _mm256_and_si256(bytes, nibble));
            __m256i by_high = _mm256_shuffle_epi8(high[k], _mm256_and_si256(_mm256_srli_epi16(bytes, 4), nibble));
            hit = _mm256_and_si256(hit, _mm256_and_si256(by_low, by_high));
        }
        uint32_t candidates = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hit, zero));
        for (; candidates != 0; candidates &= candidates - 1)
            if (word_at(v, line, length, i + (size_t)__builtin_ctz(candidates))) return 1;
        if (i + BLOCK + 2 >= length) return 0;
    }
}

/* The nibble tables: the words' first three bytes (OR 0x20, as the input is read), in eight buckets of
 * neighbours in sorted order, so a bucket's words share letters and mix few nibbles. */
static void set_teddy(Vocabulary *v) {
    memset(v->teddy_low, 0, sizeof v->teddy_low);
    memset(v->teddy_high, 0, sizeof v->teddy_high);
    for (int k = 0; k < v->count; k++) {  /* `order` sorts the words by their first two bytes */
        const unsigned char *word = v->words[v->order[k]];
        unsigned char bucket = (unsigned char)(1u << (k * 8 / v->count));
        for (int j = 0; j < 3; j++) {
            unsigned char c = word[j] | 0x20;
            v->teddy_low[j][c & 0x0f] |= bucket;
            v->teddy_high[j][c >> 4] |= bucket;
        }
    }
    __builtin_cpu_init();
    v->teddy = __builtin_cpu_supports("avx2");
}
#endif

int has_word(const Vocabulary *v, const unsigned char *line, size_t length) {
#ifdef TEDDY
    if (v->teddy) return has_word_teddy(v, line, length);
#endif
    return has_word_scalar(v, line, length);
}

void set_vector(Vocabulary *v, int on) {
#ifdef TEDDY
    v->teddy = on && __builtin_cpu_supports("avx2");
#else
    (void)on;
    v->teddy = 0;
#endif
}

int set_vocabulary(Vocabulary *v, PyObject *words) {
    for (int c = 0; c < 256; c++) {
        v->fold[c] = (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    Py_ssize_t n = PySequence_Length(words);
    if (n < 0) return -1;
    if (n > MAX_WORDS) {
        PyErr_SetString(PyExc_ValueError, "too many vocabulary words");
        return -1;
    }
    v->count = (int)n;
    for (int i = 0; i < v->count; i++) {
        PyObject *word = PySequence_GetItem(words, i);
        if (word == NULL) return -1;
        char *text;
        Py_ssize_t length;
        int bad = PyBytes_AsStringAndSize(word, &text, &length) < 0;
        if (!bad && (length < 3 || length >= MAX_WORD)) {
            PyErr_SetString(PyExc_ValueError, "a vocabulary word has 3 to 31 bytes");
            bad = 1;
        }
        if (!bad) {
            for (Py_ssize_t j = 0; j < length; j++) v->words[i][j] = v->fold[(unsigned char)text[j]];
            v->lengths[i] = (size_t)length;
        }
        Py_DECREF(word);
        if (bad) return -1;
        v->order[i] = i;
    }
    for (int i = 1; i < v->count; i++) {  /* insertion sort by first pair: a handful of words */
        int w = v->order[i], j = i;
        while (j > 0 && pair_key(v, v->words[v->order[j - 1]]) > pair_key(v, v->words[w])) {
            v->order[j] = v->order[j - 1];
            j--;
        }
        v->order[j] = w;
    }
    memset(v->first, 0, sizeof v->first);
    for (int k = v->count - 1; k >= 0; k--) v->first[pair_key(v, v->words[v->order[k]])] = (uint8_t)(k + 1);
    memset(v->third, 0, sizeof v->third);
    for (int k = 0; k < v->count; k++) {
        const unsigned char *word = v->words[v->order[k]];
        unsigned char next = word[2];
        v->third[v->first[pair_key(v, word)] - 1][next >> 3] |= (uint8_t)(1u << (next & 7));
    }
    memset(v->triple, 0, sizeof v->triple);
    for (int k = 0; k < v->count; k++) {
        const unsigned char *word = v->words[k];
        v->triple[triple_hash(word[0] | (uint64_t)word[1] << 8 | (uint64_t)word[2] << 16)] = 1;
    }
    v->teddy = 0;
#ifdef TEDDY
    if (v->count > 0) set_teddy(v);
#endif
    return 0;
}

/* Words of a fixed kind from a Python sequence of bytes: `count` of at most `most`, each of `min` to `max`
 * bytes, copied into rows of `stride` bytes. */
int set_words(PyObject *sequence, int most, size_t min, size_t max, unsigned char *rows, size_t stride,
                     size_t *lengths, int *count, const char *what) {
    Py_ssize_t n = PySequence_Length(sequence);
    if (n < 0) return -1;
    if (n > most) {
        PyErr_Format(PyExc_ValueError, "at most %d %s", most, what);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_GetItem(sequence, i);
        if (item == NULL) return -1;
        char *text;
        Py_ssize_t length;
        int bad = PyBytes_AsStringAndSize(item, &text, &length) < 0;
        if (!bad && ((size_t)length < min || (size_t)length > max)) {
            PyErr_Format(PyExc_ValueError, "%s have %zu to %zu bytes", what, min, max);
            bad = 1;
        }
        if (!bad) {
            memcpy(rows + (size_t)i * stride, text, (size_t)length);
            if (lengths != NULL) lengths[i] = (size_t)length;
        }
        Py_DECREF(item);
        if (bad) return -1;
    }
    *count = (int)n;
    return 0;
}
