/* JSON and logfmt lines the prefilter keeps, taken apart in C where it is sure to read them as the scan's SQL
 * does, and grouped as the SQL would group them. See _prefilter_fieldgroups.c. */
#ifndef WICKED_PLATFORM_PREFILTER_FIELDGROUPS_H
#define WICKED_PLATFORM_PREFILTER_FIELDGROUPS_H

#include "_prefilter_fields.h"
#include "_prefilter_words.h"

#include <stdio.h>

#define MAX_LEVEL_NAMES 64
#define MAX_LEVEL_NAME 32

typedef struct {
    const FieldKeys *fields;      /* the format, the time keys, the zone of a stamp without one */
    int has_since, has_until;     /* the window in epoch µs, both ends inside */
    long long since_us, until_us;
    TopKeys wanted;               /* JSON: the time, level, service, message and error keys, in that order */
    int level_at, service_at, message_at, error_at, end_at;  /* where each part's keys start in `wanted` */
    TopKeys time, level, service, message, error;  /* logfmt: each part's keys */
    int alias_count;              /* level texts the SQL names otherwise (`50`: ERROR, `E`: ERROR) */
    unsigned char aliases[MAX_LEVEL_NAMES][MAX_LEVEL_NAME], alias_names[MAX_LEVEL_NAMES][MAX_LEVEL_NAME];
    size_t alias_lengths[MAX_LEVEL_NAMES], alias_name_lengths[MAX_LEVEL_NAMES];
    int alert_count, signed_count;  /* level names of alerts (each line an event), of errors and warnings */
    unsigned char alerts[MAX_LEVEL_NAMES][MAX_LEVEL_NAME], signed_names[MAX_LEVEL_NAMES][MAX_LEVEL_NAME];
    size_t alert_lengths[MAX_LEVEL_NAMES], signed_lengths[MAX_LEVEL_NAMES];
    Vocabulary events;            /* a message holding one of these may be a timeline event: left to the SQL */
    size_t max_message;           /* a longer message is cut to this many bytes, as the SQL cuts it */
} FieldShape;

/* Fills `shape` from split_range's `field_groups` tuple: (level keys, service keys, message keys, error keys,
 * level aliases as (text, name) pairs, alert names, signed names, event words, max_message); -1 with a Python
 * error set. `fields` must outlive it. */
int set_field_shape(FieldShape *shape, const FieldKeys *fields, PyObject *spec);

typedef struct FieldGroups FieldGroups;

/* Groups writing their rows to `rows`; NULL when out of memory. */
FieldGroups *fieldgroups_new(const FieldShape *shape, FILE *rows);

/* 1 when the line is grouped, 0 when the SQL must read it, -1 when writing failed. The line is printable
 * ASCII and tabs, without its line end. */
int fieldgroups_take(FieldGroups *groups, const unsigned char *line, size_t length);

/* Writes the groups still held; 0, or -1 when writing failed. */
int fieldgroups_flush(FieldGroups *groups);

long long fieldgroups_rows(const FieldGroups *groups);   /* rows written */
long long fieldgroups_bytes(const FieldGroups *groups);  /* bytes of the rows written */

void fieldgroups_free(FieldGroups *groups);

#endif
