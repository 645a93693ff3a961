/* Access-log lines read in C: each line the C is sure to read as the scan's SQL reads it (line_sql._access)
 * is counted into the row the SQL would have grouped it in, or written as a row of its own with its message.
 *
 * Every access line is a request, so the SQL takes every one apart: its time from the 26 characters after
 * the line's first ` [` (`15/Jan/2024:08:00:00 +0000`, try_strptime's `%d/%b/%Y:%H:%M:%S %z`), the request
 * between its first two quotes, the status from the first three characters after the second quote, spaces
 * trimmed, and the route from the request's target (route_shapes.route_sql). A line whose level is not one
 * a signature is made of (every status but 5xx: `2XX`, `4XX`), and any line outside the window, then only
 * adds to the counts of its row: in the window, by second, level and route, with how many lines and its
 * earliest and latest time; outside the window, by level. That is done here, and the row written to a
 * file the scan's SQL reads (access_rows.access_rows_query), which names the level and its class from the
 * status class with its own expressions. A line in the window whose level makes a signature (5xx) keeps
 * its message (method, target, status), whose shape and DuckDB hash pick the signature's example: it is
 * written as a row of its own with that message, and the SQL groups those rows as it groups whole lines.
 *
 * Sure means: the line has a ` [` followed by 26 characters that are such a stamp, two digits of a day
 * on the calendar, a month's three letters in any case (DuckDB's %b), hours to 23, minutes and seconds
 * to 59, a zone of at most 23 hours 59 minutes, the time within the scan's years; three digits open the
 * status; the masked route is at most MAX_PATH bytes, a message at most MAX_MESSAGE. A line of any other
 * shape (no stamp, no status, a path too long) is read differently or not at all: the C leaves it to
 * the SQL, as it leaves lines of other bytes than printable ASCII (_prefilter.c). Rows that describe the same group (from two threads, or after the
 * table was flushed) add up in the SQL like any others.
 *
 * Whole files the C does not read (prefilter.applies), which the SQL reads as before: an access log whose
 * lines hold a request time (`$request_time`, the sniff's `durations`: the C reads no durations), one
 * inside a wrapper (a container runtime's prefix), gzip, ANSI colour codes, or a file under MIN_BYTES.
 *
 * A row: 1 (in the window) or 0, the status's first digit, earliest and latest time in epoch µs, count,
 * in the window the route as route_sql leaves it (before finish_route_sql, which the SQL runs once per
 * distinct route), and the message of a line kept whole (else nothing); separated by 0x1f, which a
 * printable line lacks.
 */
#include "_prefilter_access.h"
#include "_prefilter_dates.h"
#include "_prefilter_table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS (1u << 13)          /* open addressing, at most half full; small, so it stays in cache */
#define MAX_GROUPS (1u << 12)     /* lines come in time order: a flush splits only the groups of the last seconds */
#define ARENA_BYTES (8u << 20)    /* routes; the table is flushed when either fills */
#define MAX_PATH 4096             /* a longer path is left to the SQL */
#define MAX_ROUTE (2 * MAX_PATH + 8)  /* masking writes `/:id/` for `/1/`: at most 5/3 of the path */
#define STAMP_CHARS 26
#define MAX_MESSAGE 2000          /* the SQL cuts a message to this (file_query.MAX_MESSAGE_CHARS): a longer one is left */
#define SEPARATOR 0x1f

typedef struct {
    uint64_t hash;
    long long second;             /* -1: outside the window, where rows are not by second */
    long long first_us, last_us, count;
    uint32_t route, route_length; /* in the arena */
    unsigned char inside, digit;
} Group;

struct AccessRows {
    const AccessShape *shape;
    FILE *rows;
    int32_t *slots;               /* index into `groups`, -1: empty */
    Group *groups;
    unsigned count;
    unsigned char *arena;
    size_t used;
    long long written, bytes;
};

static const char MONTHS[12][3] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};

/* `%d/%b/%Y:%H:%M:%S %z` over exactly STAMP_CHARS bytes, as try_strptime reads it; 0 when not sure. */
static int access_stamp_us(const unsigned char *s, long long *us) {
    int day, year, hour, minute, second, zone_hours, zone_minutes, month = 0;
    if (!stamp_digits(s, 2, &day) || s[2] != '/' || s[6] != '/' || !stamp_digits(s + 7, 4, &year) || s[11] != ':'
        || !stamp_digits(s + 12, 2, &hour) || s[14] != ':' || !stamp_digits(s + 15, 2, &minute) || s[17] != ':'
        || !stamp_digits(s + 18, 2, &second) || s[20] != ' ' || (s[21] != '+' && s[21] != '-')
        || !stamp_digits(s + 22, 2, &zone_hours) || !stamp_digits(s + 24, 2, &zone_minutes))
        return 0;
    for (int m = 0; m < 12 && !month; m++)
        if ((s[3] | 0x20) == MONTHS[m][0] && (s[4] | 0x20) == MONTHS[m][1] && (s[5] | 0x20) == MONTHS[m][2]) month = m + 1;
    if (!month || year < 1970 || year >= 2200 || day < 1 || day > stamp_month_days(year, month) || hour > 23
        || minute > 59 || second > 59 || zone_hours > 23 || zone_minutes > 59)
        return 0;
    long long offset = (s[21] == '-' ? -1 : 1) * (zone_hours * 3600LL + zone_minutes * 60LL);
    long long value = ((stamp_days_from_civil(year, month, day) * 86400LL + hour * 3600LL + minute * 60LL + second)
                       - offset) * 1000000LL;
    if (value < STAMP_MIN_US || value > STAMP_MAX_US) return 0;
    *us = value;
    return 1;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* The parts of ROUTE_VALUE's rules a byte counts toward, a table so a segment is read in one pass. */
enum { DIGIT = 1, HEX = 2, DASH = 4, MARK = 8 };
static const unsigned char BYTE_CLASS[256] = {
    ['0' ... '9'] = DIGIT | HEX, ['a' ... 'f'] = HEX, ['A' ... 'F'] = HEX, ['-'] = DASH,
    ['@'] = MARK, ['%'] = MARK, ['='] = MARK, [';'] = MARK,
};

/* Whether a path segment (no `/`) is a value: route_shapes.ROUTE_VALUE matching all of it, one test per
 * alternative, in its order. */
static int is_value(const unsigned char *s, size_t n) {
    size_t digits = 0, hex = 0, dashes = 0;
    unsigned marked = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned t = BYTE_CLASS[s[i]];
        digits += t & DIGIT;
        hex += (t >> 1) & 1;
        dashes += (t >> 2) & 1;
        marked |= t & MARK;
    }
    return (n > 0 && digits == n)                           /* [0-9]+ */
        || digits >= 3                                      /* three digits anywhere */
        || (n >= 16 && hex + dashes == n) || (n >= 8 && hex == n)  /* a UUID, a hex id */
        || n >= 32                                          /* a token, a slug */
        || marked                                           /* an e-mail, key=value, a percent-encoded value */
        || (n >= 2 && s[0] == '{' && s[n - 1] == '}') || (n >= 2 && s[0] == ':')
        || (n >= 2 && s[0] == '<' && s[n - 1] == '>');
}

/* The bytes up to the next `c`, or the end: split_part's part. */
static const unsigned char *find(const unsigned char *from, const unsigned char *end, unsigned char c) {
    const unsigned char *at = from < end ? memchr(from, c, (size_t)(end - from)) : NULL;
    return at != NULL ? at : end;
}

/* route_sql's route of a path (without its query string): RE2's leftmost-first replacement of
 * `/V(/V)*` + `/` by `/:id/` over `path/`, where V matches whole segments only (none holds a `/`, and a
 * `/` must follow), so each maximal run of value segments becomes one `:id`, its closing `/` consumed.
 * Returns its length. */
static size_t mask_route(const unsigned char *path, size_t n, unsigned char *out) {
    const unsigned char *end = path + n, *at = find(path, end, '/');  /* `end` stands for the appended `/` */
    size_t o = (size_t)(at - path);
    memcpy(out, path, o);  /* before the first `/`: no match starts there */
    while (at < end) {  /* `at`: a `/` of the path, not consumed */
        const unsigned char *segment = at + 1, *segment_end = find(segment, end, '/');
        if (!is_value(segment, (size_t)(segment_end - segment))) {
            memcpy(out + o, at, (size_t)(segment_end - at));
            o += (size_t)(segment_end - at);
            at = segment_end;
            continue;
        }
        for (;;) {  /* the run: value segments while they last */
            at = segment_end;
            if (at >= end) break;
            segment = at + 1;
            segment_end = find(segment, end, '/');
            if (!is_value(segment, (size_t)(segment_end - segment))) break;
        }
        memcpy(out + o, "/:id/", 5);
        o += 5;
        if (at >= end) return o;  /* the run took the appended `/` */
        /* the `/` after the run is consumed: the segment after it (no value) is copied, its own `/` is next */
        memcpy(out + o, segment, (size_t)(segment_end - segment));
        o += (size_t)(segment_end - segment);
        at = segment_end;
    }
    out[o++] = '/';
    return o;
}

typedef struct {
    long long us;
    int digit, code;
    const unsigned char *method, *target;
    size_t method_length, target_length;
    size_t route_length;
    unsigned char route[MAX_ROUTE];
} Request;

/* The line as the SQL reads it, where the C is sure to; 0 otherwise. */
static int parse_request(const unsigned char *line, size_t length, Request *r) {
    const unsigned char *end = line + length, *at = line;
    for (;;) {  /* the first ` [` */
        at = find(at, end, '[');
        if (at == end) return 0;
        if (at > line && at[-1] == ' ') break;
        at++;
    }
    if ((size_t)(end - at - 1) < STAMP_CHARS || !access_stamp_us(at + 1, &r->us)) return 0;
    const unsigned char *open = find(line, end, '"');
    if (open == end) return 0;  /* no request, no status: the SQL reads none */
    const unsigned char *close = find(open + 1, end, '"');
    if (close == end) return 0;
    const unsigned char *after = close + 1, *stop = find(after, end, '"');
    while (after < stop && *after == ' ') after++;  /* ltrim: spaces only */
    if (stop - after < 3 || !is_digit(after[0]) || !is_digit(after[1]) || !is_digit(after[2])) return 0;
    r->digit = after[0] - '0';
    r->code = r->digit * 100 + (after[1] - '0') * 10 + (after[2] - '0');
    /* split_part(request, ' ', 1) and 2, then split_part(target, '?', 1) */
    const unsigned char *method_end = find(open + 1, close, ' ');
    const unsigned char *target = method_end < close ? method_end + 1 : close;
    const unsigned char *target_end = find(target, close, ' ');
    const unsigned char *path_end = find(target, target_end, '?');
    r->method = open + 1;
    r->method_length = (size_t)(method_end - open - 1);
    r->target = target;
    r->target_length = (size_t)(target_end - target);
    if (path_end - target > MAX_PATH || r->method_length + r->target_length + 5 > MAX_MESSAGE) return 0;
    r->route_length = mask_route(target, (size_t)(path_end - target), r->route);
    return 1;
}

static uint64_t hash_group(const Request *r, int inside, long long second) {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)second ^ ((uint64_t)(r->digit * 2 + inside) << 56);
    const unsigned char *at = r->route;
    size_t n = inside ? r->route_length : 0;
    for (; n >= 8; at += 8, n -= 8) {
        uint64_t word;
        memcpy(&word, at, 8);
        h = (h ^ word) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    memcpy(&tail, at, n);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

static char *write_number(char *at, long long value) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    while (n > 0) *at++ = digits[--n];
    return at;
}

int access_flush(AccessRows *a) {
    for (unsigned k = 0; k < a->count; k++) {
        const Group *x = &a->groups[k];
        char numbers[96], *at = numbers;
        *at++ = (char)('0' + x->inside);
        *at++ = SEPARATOR;
        *at++ = (char)('0' + x->digit);
        *at++ = SEPARATOR;
        at = write_number(at, x->first_us);
        *at++ = SEPARATOR;
        at = write_number(at, x->last_us);
        *at++ = SEPARATOR;
        at = write_number(at, x->count);
        *at++ = SEPARATOR;
        size_t n = (size_t)(at - numbers);
        if (fwrite(numbers, 1, n, a->rows) != n
            || fwrite(a->arena + x->route, 1, x->route_length, a->rows) != x->route_length
            || fputc(SEPARATOR, a->rows) == EOF || fputc('\n', a->rows) == EOF)
            return -1;
        a->written++;
        a->bytes += (long long)(n + x->route_length + 2);
    }
    table_clear(a->slots, SLOTS, &a->count, &a->used);
    return 0;
}

/* A line kept whole: its row, with the message the SQL reads (`METHOD TARGET STATUS`). */
static int write_line(AccessRows *a, const Request *r) {
    char numbers[96], *at = numbers, code[8], *code_end = write_number(code, r->code);
    *at++ = '1';
    *at++ = SEPARATOR;
    *at++ = (char)('0' + r->digit);
    *at++ = SEPARATOR;
    at = write_number(at, r->us);
    *at++ = SEPARATOR;
    at = write_number(at, r->us);
    *at++ = SEPARATOR;
    *at++ = '1';
    *at++ = SEPARATOR;
    size_t n = (size_t)(at - numbers), code_length = (size_t)(code_end - code);
    if (fwrite(numbers, 1, n, a->rows) != n || fwrite(r->route, 1, r->route_length, a->rows) != r->route_length
        || fputc(SEPARATOR, a->rows) == EOF || fwrite(r->method, 1, r->method_length, a->rows) != r->method_length
        || fputc(' ', a->rows) == EOF || fwrite(r->target, 1, r->target_length, a->rows) != r->target_length
        || fputc(' ', a->rows) == EOF || fwrite(code, 1, code_length, a->rows) != code_length || fputc('\n', a->rows) == EOF)
        return -1;
    a->written++;
    a->bytes += (long long)(n + r->route_length + r->method_length + r->target_length + code_length + 4);
    return 0;
}

int access_take(AccessRows *a, const unsigned char *line, size_t length) {
    Request r;
    if (!parse_request(line, length, &r)) return 0;
    const AccessShape *shape = a->shape;
    int inside = (!shape->has_since || r.us >= shape->since_us) && (!shape->has_until || r.us <= shape->until_us);
    if (inside && !(shape->counted >> r.digit & 1)) return write_line(a, &r) < 0 ? -1 : 1;
    long long second = inside ? r.us / 1000000 : -1;
    size_t route_length = inside ? r.route_length : 0;
    uint64_t hash = hash_group(&r, inside, second);
    unsigned slot = (unsigned)hash & (SLOTS - 1);
    for (; a->slots[slot] >= 0; slot = (slot + 1) & (SLOTS - 1)) {
        Group *x = &a->groups[a->slots[slot]];
        if (x->hash != hash || x->second != second || x->inside != inside || x->digit != r.digit
            || x->route_length != route_length || memcmp(a->arena + x->route, r.route, route_length) != 0)
            continue;
        x->count++;
        if (r.us < x->first_us) x->first_us = r.us;
        if (r.us > x->last_us) x->last_us = r.us;
        return 1;
    }
    if (a->count >= MAX_GROUPS || ARENA_BYTES - a->used < route_length) {
        if (access_flush(a) < 0) return -1;
        slot = (unsigned)hash & (SLOTS - 1);  /* the table is empty now */
    }
    Group *x = &a->groups[a->count];
    a->slots[slot] = (int32_t)a->count++;
    *x = (Group){.hash = hash, .second = second, .first_us = r.us, .last_us = r.us, .count = 1,
                 .route = (uint32_t)a->used, .route_length = (uint32_t)route_length, .inside = (unsigned char)inside,
                 .digit = (unsigned char)r.digit};
    memcpy(a->arena + a->used, r.route, route_length);
    a->used += route_length;
    return 1;
}

AccessRows *access_new(const AccessShape *shape, FILE *rows) {
    AccessRows *a = calloc(1, sizeof *a);
    if (a == NULL) return NULL;
    a->shape = shape;
    a->rows = rows;
    void *groups;
    if (!table_alloc(&a->slots, SLOTS, &groups, MAX_GROUPS * sizeof *a->groups, &a->arena, ARENA_BYTES)) {
        free(a);
        return NULL;
    }
    a->groups = groups;
    return a;
}

long long access_rows(const AccessRows *a) { return a->written; }

long long access_bytes(const AccessRows *a) { return a->bytes; }

void access_free(AccessRows *a) {
    if (a == NULL) return;
    table_free(a->slots, a->groups, a->arena);
    free(a);
}
