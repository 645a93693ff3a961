/* The time of a JSON or logfmt line, read in C where it is sure to be what the scan's SQL reads: for the
 * lines the prefilter passes over, which need nothing else. See _prefilter_fields.c. */
#ifndef WICKED_PLATFORM_PREFILTER_FIELDS_H
#define WICKED_PLATFORM_PREFILTER_FIELDS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>

#define MAX_FIELD_KEYS 8
#define MAX_FIELD_KEY 64

enum { FIELDS_NONE = 0, FIELDS_JSON = 1, FIELDS_LOGFMT = 2 };

typedef struct {
    int kind;                     /* FIELDS_JSON or FIELDS_LOGFMT; FIELDS_NONE: a plain file */
    int key_count;                /* the keys that may hold the time, in the order the SQL tries them */
    unsigned char keys[MAX_FIELD_KEYS][MAX_FIELD_KEY];
    size_t key_lengths[MAX_FIELD_KEYS];
    int naive_utc;                /* a stamp without a zone is UTC (the scan's zone is UTC) */
    int marker_count;             /* JSON keys (lower case) whose value may say a level by number or letter */
    unsigned char markers[MAX_FIELD_KEYS][MAX_FIELD_KEY];
    size_t marker_lengths[MAX_FIELD_KEYS];
    unsigned char marked[256];    /* 1: a value opening with this byte may be such a level */
} FieldKeys;

/* Fills `k` (kind, then sequences of bytes); -1 with a Python error set. */
int set_field_keys(FieldKeys *k, int kind, PyObject *keys, PyObject *markers, PyObject *marked, int naive_utc);

/* 1 with *us set when the line's time is sure to be what the SQL reads, and the line holds no level
 * marker; 0 when the SQL must decide the line. The line is printable ASCII and tabs. */
int field_stamp_us(const FieldKeys *k, const unsigned char *line, size_t length, long long *us);

#endif
