/* Access-log lines (combined/common log format) read in C and counted into the rows the scan's SQL would
 * have made of them. See _prefilter_access.c. */
#ifndef WICKED_PLATFORM_PREFILTER_ACCESS_H
#define WICKED_PLATFORM_PREFILTER_ACCESS_H

#include <stdio.h>

typedef struct {
    unsigned counted;             /* bit d set: a line in the window with a status of d00-d99 is counted into
                                   * its row (its level makes no signature); other lines in the window are
                                   * written as rows of their own, with their message */
    int has_since, has_until;     /* the window in epoch µs, both ends inside */
    long long since_us, until_us;
} AccessShape;

typedef struct AccessRows AccessRows;

/* Rows written to `rows`; NULL when out of memory. */
AccessRows *access_new(const AccessShape *shape, FILE *rows);

/* 1 when the line is counted into a row, 0 when the C is not sure to read it as the SQL does (the
 * caller leaves it for the SQL), -1 when writing failed. The line is printable ASCII and tabs, without
 * its line end. */
int access_take(AccessRows *rows, const unsigned char *line, size_t length);

/* Writes the rows still held; 0, or -1 when writing failed. */
int access_flush(AccessRows *rows);

long long access_rows(const AccessRows *rows);   /* rows written */
long long access_bytes(const AccessRows *rows);  /* bytes of the rows written */

void access_free(AccessRows *rows);

#endif
