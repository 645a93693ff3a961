/* Whether a line holds one of a few words, in any ASCII case: the prefilter's vocabulary test. */
#ifndef WICKED_PLATFORM_PREFILTER_WORDS_H
#define WICKED_PLATFORM_PREFILTER_WORDS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>
#include <stdint.h>

#define MAX_WORDS 64
#define MAX_WORD 32

typedef struct {
    unsigned char fold[256];      /* ASCII letters lower-cased */
    uint8_t first[65536];         /* folded byte pair -> 1 + index of its first word in `order`, 0: none */
    uint8_t third[MAX_WORDS][32]; /* by that index: the folded third bytes of the pair's words, as bits */
    uint8_t triple[65536];        /* by triple_hash: 1 when a word's first three bytes may start there */
    int count;
    int order[MAX_WORDS];         /* words sorted by their first two bytes */
    unsigned char words[MAX_WORDS][MAX_WORD];
    size_t lengths[MAX_WORDS];
    unsigned char teddy_low[3][16], teddy_high[3][16];  /* by nibble of a word's byte 0, 1, 2: its buckets */
    int teddy;                    /* the AVX2 path is taken */
} Vocabulary;

/* Fills `v` from a sequence of bytes objects of 3 to 31 bytes each; -1 with a Python error set. */
int set_vocabulary(Vocabulary *v, PyObject *words);

/* Words of a fixed kind from a Python sequence of bytes: `count` of at most `most`, each of `min` to `max` bytes,
 * copied into rows of `stride` bytes (and their lengths into `lengths`, unless NULL); -1 with a Python error set. */
int set_words(PyObject *sequence, int most, size_t min, size_t max, unsigned char *rows, size_t stride,
              size_t *lengths, int *count, const char *what);

/* Whether the AVX2 path is taken, where the CPU has it (on by default); the scalar path gives the same. */
void set_vector(Vocabulary *v, int on);

/* Whether one of the words is somewhere in the line, ASCII case folded. */
int has_word(const Vocabulary *v, const unsigned char *line, size_t length);

#endif
