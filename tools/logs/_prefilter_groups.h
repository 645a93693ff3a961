/* Lines the prefilter could not pass over, taken apart in C when they have the common plain shape, and
 * grouped as the scan's SQL would group them. See _prefilter_groups.c. */
#ifndef WICKED_PLATFORM_PREFILTER_GROUPS_H
#define WICKED_PLATFORM_PREFILTER_GROUPS_H

#include "_prefilter_words.h"

#include <stdio.h>

#define MAX_ALERT_LEVELS 16
#define MAX_EDGES 2
#define EDGE_BYTES 19             /* `2024-01-15T14:23:15`: a stamp to the second */

typedef struct {
    int service;                  /* the token after the level is the line's service */
    size_t max_message;           /* a longer message is cut to this many bytes, as the SQL cuts it */
    Vocabulary events;            /* a line holding one of these may be a timeline event: one row each */
    int alert_count;              /* level words of alerts (upper case): every such line is an event */
    unsigned char alerts[MAX_ALERT_LEVELS][MAX_WORD];
    size_t alert_lengths[MAX_ALERT_LEVELS];
    int edge_count;               /* seconds a window bound falls inside: their lines are one row each */
    unsigned char edges[MAX_EDGES][EDGE_BYTES];
} LineShape;

typedef struct Groups Groups;

/* Groups writing their rows to `rows`; NULL when out of memory. */
Groups *groups_new(const LineShape *shape, FILE *rows);

/* 1 when the line is taken (grouped, written as a row, or counted as a continuation), 0 when it is
 * not of a shape the C decides (the caller leaves it for the SQL), -1 when writing failed. The line is
 * printable ASCII and tabs, without its line end. */
int groups_take(Groups *groups, const unsigned char *line, size_t length);

/* Writes the groups still held; 0, or -1 when writing failed. */
int groups_flush(Groups *groups);

long long groups_continued(const Groups *groups);  /* lines counted as continuations */
long long groups_rows(const Groups *groups);       /* rows written */
long long groups_bytes(const Groups *groups);      /* bytes of the rows written */

void groups_free(Groups *groups);

#endif
