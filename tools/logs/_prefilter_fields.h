/* The time of a JSON or logfmt line, read in C where it is sure to be what the scan's SQL reads: for the
 * lines the prefilter passes over, which need nothing else. See _prefilter_fields.c. */
#ifndef WICKED_PLATFORM_PREFILTER_FIELDS_H
#define WICKED_PLATFORM_PREFILTER_FIELDS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>

#define MAX_FIELD_KEYS 8
#define MAX_FIELD_KEY 64
#define MAX_TOP_KEYS 48

enum { FIELDS_NONE = 0, FIELDS_JSON = 1, FIELDS_LOGFMT = 2 };

typedef struct {
    int count;
    unsigned char keys[MAX_TOP_KEYS][MAX_FIELD_KEY];
    size_t lengths[MAX_TOP_KEYS];
} TopKeys;                        /* keys of a JSON line's top level, or of a logfmt line */

typedef struct {
    int found;                    /* times the key came at the top level */
    int string, escaped;          /* its (last) value is a string; one with escapes */
    const unsigned char *value;   /* a string's content, in the line */
    size_t length;
} TopValue;

typedef struct {
    int kind;                     /* FIELDS_JSON or FIELDS_LOGFMT; FIELDS_NONE: a plain file */
    TopKeys time;                 /* the keys that may hold the time, in the order the SQL tries them */
    int naive_utc;                /* a stamp without a zone is UTC (the scan's zone is UTC) */
    TopKeys markers;              /* JSON keys (lower case) whose value may say a level by number or letter */
    unsigned char marked[256];    /* 1: a value opening with this byte may be such a level */
} FieldKeys;

/* Fills `k` (kind, then sequences of bytes); -1 with a Python error set. */
int set_field_keys(FieldKeys *k, int kind, PyObject *keys, PyObject *markers, PyObject *marked, int naive_utc);

/* Appends a sequence of at most `most` keys (bytes) to `keys`, lower-cased with `fold`; -1 with a Python error set. */
int set_top_keys(TopKeys *keys, PyObject *sequence, int most, int fold);

/* 1 with *us set when the line's time is sure to be what the SQL reads, and the line holds no level
 * marker; 0 when the SQL must decide the line. The line is printable ASCII and tabs. */
int field_stamp_us(const FieldKeys *k, const unsigned char *line, size_t length, long long *us);

/* Epoch µs of a whole text of the strict ISO 8601 shape the SQL is sure to read alike; 0 when it is not one. */
int iso_stamp_us(const unsigned char *s, size_t n, int naive_utc, long long *us);

/* 1 when the line is a JSON object this reader is sure of, with the values of the `wanted` keys at its top
 * level in `values` (by wanted key); 0 when the SQL must read it. `markers`: NULL, or a line whose level
 * may be stated by a number or a letter is 0 too. */
int json_top_values(const FieldKeys *markers, const TopKeys *wanted, const unsigned char *line, size_t length,
                    TopValue *values);

/* The value json_extract_string gives the first of `count` keys present (coalesce over the paths): 1 with it
 * set, 0 when none is present (NULL), -1 when the C is unsure (a key twice, a value not a plain string). */
int json_first_value(const TopValue *values, int count, const unsigned char **value, size_t *length);

/* The value of the leftmost `key=` of any of `keys` in a logfmt line, as the SQL's regex finds it, without
 * quotes: 1 with it set, 0 when none is there, -1 when the C is unsure (a quoted value with an escape or
 * without its closing quote). */
int logfmt_value(const TopKeys *keys, const unsigned char *s, size_t n, const unsigned char **value, size_t *length);

#endif
