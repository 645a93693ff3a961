/* The lines the prefilter keeps, grouped in C when they have the common plain shape.
 *
 * Most lines a scan takes apart look alike: `2024-01-15T14:23:15.123Z ERROR checkout-api Payment timeout
 * for order ORD-1`. The SQL groups such lines by second, level, service and message shape (the message
 * with each digit written as 0), and keeps of each group its count, its earliest and latest stamp and
 * the message of its earliest line. Parsing a line and grouping it is most of what DuckDB spends on the
 * lines left to it, so here that is done for lines of that strict shape. Each group becomes one row of
 * a file the scan's SQL reads: the row's text is the line's own, and the SQL reads the level, the
 * service and the time from it with the very expressions it uses for a whole line.
 *
 * A group is exact because every line in it has the same text but for digits of its message and of its
 * fraction of a second: the SQL reads the same second, level, service and shape from each. A line that
 * may be a timeline event (an alert level, or a message holding an event word) is a group of its own,
 * since each event keeps its stamp and message; so is a line in a second that a window bound cuts. Rows
 * that describe the same group (written by two threads, or after the table was flushed) add up in the
 * SQL like any other rows; so do rows of count 0, written for a line whose stamp ties the earliest of its
 * group with a different message, so the SQL can pick the example among them as it would.
 *
 * A row: stamp to the second with its zone, level, service, shape, least and greatest fraction of a
 * second in microseconds, count, example message; separated by 0x1f, which a printable line lacks.
 */
#include "_prefilter_groups.h"
#include "_prefilter_dates.h"
#include "_prefilter_table.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS (1u << 17)          /* open addressing, at most half full */
#define MAX_GROUPS (1u << 16)
#define ARENA_BYTES (8u << 20)    /* keys and example messages; the table is flushed when either fills */
#define MAX_LEVEL 32
#define MAX_SERVICE 256
#define MAX_STAMP 32
#define SEPARATOR 0x1f

typedef struct {
    uint64_t hash;
    uint32_t key, key_length;     /* in the arena: stamp, level, service and shape, separated */
    uint32_t message, message_length;
    int32_t least, greatest;      /* fractions of a second, microseconds */
    long long count;
} Group;

struct Groups {
    const LineShape *shape;
    FILE *rows;
    int32_t *slots;               /* index into `groups`, -1: empty */
    Group *groups;
    unsigned count;
    unsigned char *arena;
    size_t used;
    long long continued, written, bytes;  /* lines counted; rows and bytes written */
};

typedef struct {
    unsigned char stamp[MAX_STAMP];  /* to the second, with its zone: the fraction is left out */
    size_t stamp_length;
    int32_t fraction;
    const unsigned char *level, *service, *message;
    size_t level_length, service_length, message_length;
} Parts;

/* `2024-01-15T14:23:15` (or a blank for the T), a fraction of 1 to 6 digits after `.` or `,` (log4j's
 * `%d`: the SQL reads a comma as the point), `Z` or `+02:00` or no zone: a date on the calendar in the
 * stamp years. Returns the stamp's length, 0 for any other text (a seventh digit DuckDB would round,
 * 24:00:00: the SQL decides those). */
static size_t parse_stamp(const unsigned char *line, size_t length, Parts *parts) {
    int year, month, day, hour, minute, second;
    if (length < 20 || !stamp_digits(line, 4, &year) || line[4] != '-' || !stamp_digits(line + 5, 2, &month)
        || line[7] != '-' || !stamp_digits(line + 8, 2, &day) || (line[10] != 'T' && line[10] != ' ')
        || !stamp_digits(line + 11, 2, &hour) || line[13] != ':' || !stamp_digits(line + 14, 2, &minute)
        || line[16] != ':' || !stamp_digits(line + 17, 2, &second))
        return 0;
    if (year < 1970 || year >= 2200 || month < 1 || month > 12 || day < 1 || day > stamp_month_days(year, month)
        || hour > 23 || minute > 59 || second > 59)
        return 0;
    size_t i = 19;
    int32_t fraction = 0;
    if (i < length && (line[i] == '.' || line[i] == ',')) {
        size_t start = ++i;
        while (i < length && line[i] >= '0' && line[i] <= '9') i++;
        if (i == start || i - start > 6) return 0;
        for (size_t k = start; k < i; k++) fraction = fraction * 10 + (line[k] - '0');
        for (size_t k = i - start; k < 6; k++) fraction *= 10;
    }
    size_t zone = i;
    if (i < length && line[i] == 'Z') {
        i++;
    } else if (i < length && (line[i] == '+' || line[i] == '-')) {
        int hours, minutes;
        if (i + 6 > length || !stamp_digits(line + i + 1, 2, &hours) || line[i + 3] != ':'
            || !stamp_digits(line + i + 4, 2, &minutes) || hours > 15 || minutes > 59)
            return 0;
        i += 6;
    }
    memcpy(parts->stamp, line, 19);
    memcpy(parts->stamp + 19, line + zone, i - zone);
    parts->stamp_length = 19 + (i - zone);
    parts->fraction = fraction;
    return i;
}

static int is_letter(unsigned char c) {
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* STAMP LEVEL [SERVICE] MESSAGE with one blank between the parts: the level letters only, the service
 * without blanks, brackets or colons (so the SQL's trims leave both as they are). The message is
 * what follows the blanks after them, without trailing blanks, cut to max_message. */
static int parse_line(const LineShape *shape, const unsigned char *line, size_t length, Parts *parts) {
    size_t i = parse_stamp(line, length, parts);
    if (i == 0 || i >= length || line[i] != ' ') return 0;
    size_t start = ++i;
    while (i < length && is_letter(line[i])) i++;
    if (i == start || i - start > MAX_LEVEL) return 0;
    parts->level = line + start;
    parts->level_length = i - start;
    parts->service = line + i;
    parts->service_length = 0;
    if (shape->service) {
        if (i >= length || line[i] != ' ') return 0;
        start = ++i;
        while (i < length && line[i] > ' ' && line[i] != '[' && line[i] != ']' && line[i] != ':') i++;
        if (i == start || i - start > MAX_SERVICE) return 0;
        parts->service = line + start;
        parts->service_length = i - start;
    }
    if (i < length && line[i] != ' ') return 0;
    while (i < length && (line[i] == ' ' || line[i] == '\t')) i++;
    size_t end = length;
    while (end > i && (line[end - 1] == ' ' || line[end - 1] == '\t')) end--;
    if (end - i > shape->max_message) end = i + shape->max_message;
    parts->message = line + i;
    parts->message_length = end - i;
    return 1;
}

static int is_alert(const LineShape *shape, const Parts *parts) {
    for (int k = 0; k < shape->alert_count; k++) {
        if (shape->alert_lengths[k] != parts->level_length) continue;
        size_t j = 0;
        while (j < parts->level_length && (parts->level[j] & ~0x20) == shape->alerts[k][j]) j++;
        if (j == parts->level_length) return 1;
    }
    return 0;
}

static int at_edge(const LineShape *shape, const unsigned char *line) {
    for (int k = 0; k < shape->edge_count; k++)
        if (memcmp(line, shape->edges[k], EDGE_BYTES) == 0) return 1;
    return 0;
}

static uint64_t hash_bytes(const unsigned char *at, size_t n) {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
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

static size_t put(unsigned char *at, const unsigned char *bytes, size_t n) {
    memcpy(at, bytes, n);
    return n;
}

/* The group's key, written at the free end of the arena (kept only if the group is new). */
static size_t write_key(Groups *g, const Parts *parts) {
    unsigned char *at = g->arena + g->used, *start = at;
    at += put(at, parts->stamp, parts->stamp_length);
    *at++ = SEPARATOR;
    at += put(at, parts->level, parts->level_length);
    *at++ = SEPARATOR;
    at += put(at, parts->service, parts->service_length);
    *at++ = SEPARATOR;
    for (size_t i = 0; i < parts->message_length; i++) {
        unsigned char c = parts->message[i];
        *at++ = (c >= '1' && c <= '9') ? '0' : c;
    }
    return (size_t)(at - start);
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

static int write_row(Groups *g, const unsigned char *key, size_t key_length, int32_t least, int32_t greatest,
                     long long count, const unsigned char *message, size_t message_length) {
    char numbers[80], *at = numbers;
    *at++ = SEPARATOR;
    at = write_number(at, least);
    *at++ = SEPARATOR;
    at = write_number(at, greatest);
    *at++ = SEPARATOR;
    at = write_number(at, count);
    *at++ = SEPARATOR;
    size_t n = (size_t)(at - numbers);
    if (fwrite(key, 1, key_length, g->rows) != key_length || fwrite(numbers, 1, n, g->rows) != n
        || fwrite(message, 1, message_length, g->rows) != message_length || fputc('\n', g->rows) == EOF)
        return -1;
    g->written++;
    g->bytes += (long long)(key_length + n + message_length + 1);
    return 0;
}

int groups_flush(Groups *g) {
    for (unsigned k = 0; k < g->count; k++) {
        const Group *x = &g->groups[k];
        if (write_row(g, g->arena + x->key, x->key_length, x->least, x->greatest, x->count, g->arena + x->message,
                      x->message_length) < 0)
            return -1;
    }
    table_clear(g->slots, SLOTS, &g->count, &g->used);
    return 0;
}

/* The group's example is now this line's message: copied to the arena, which has room for it. */
static void keep_message(Groups *g, Group *x, const Parts *parts) {
    x->message = (uint32_t)g->used;
    x->message_length = (uint32_t)parts->message_length;
    memcpy(g->arena + g->used, parts->message, parts->message_length);
    g->used += parts->message_length;
}

int groups_take(Groups *g, const unsigned char *line, size_t length) {
    if (length > 0 && (line[0] == ' ' || line[0] == '\t')) {  /* a stack frame, wrapped text: no stamp */
        g->continued++;
        return 1;
    }
    Parts parts;
    if (!parse_line(g->shape, line, length, &parts)) return 0;
    /* Room for a key and a message, before writing either. */
    size_t needed = MAX_STAMP + MAX_LEVEL + MAX_SERVICE + 3 + 2 * parts.message_length;
    if ((g->count >= MAX_GROUPS || ARENA_BYTES - g->used < needed) && groups_flush(g) < 0) return -1;
    size_t key_length = write_key(g, &parts);
    const unsigned char *key = g->arena + g->used;
    if (is_alert(g->shape, &parts) || at_edge(g->shape, line)
        || has_word(&g->shape->events, parts.message, parts.message_length))
        return write_row(g, key, key_length, parts.fraction, parts.fraction, 1, parts.message, parts.message_length) < 0
            ? -1 : 1;
    uint64_t hash = hash_bytes(key, key_length);
    unsigned slot = (unsigned)hash & (SLOTS - 1);
    for (; g->slots[slot] >= 0; slot = (slot + 1) & (SLOTS - 1)) {
        Group *x = &g->groups[g->slots[slot]];
        if (x->hash != hash || x->key_length != key_length || memcmp(g->arena + x->key, key, key_length) != 0) continue;
        x->count++;
        if (parts.fraction > x->greatest) x->greatest = parts.fraction;
        if (parts.fraction < x->least) {
            x->least = parts.fraction;
            keep_message(g, x, &parts);
            return 1;
        }
        if (parts.fraction == x->least && (x->message_length != parts.message_length
                                           || memcmp(g->arena + x->message, parts.message, parts.message_length) != 0))
            return write_row(g, g->arena + x->key, x->key_length, x->least, x->least, 0, parts.message,
                             parts.message_length) < 0 ? -1 : 1;
        return 1;
    }
    Group *x = &g->groups[g->count];
    g->slots[slot] = (int32_t)g->count++;
    *x = (Group){.hash = hash, .key = (uint32_t)g->used, .key_length = (uint32_t)key_length,
                 .least = parts.fraction, .greatest = parts.fraction, .count = 1};
    g->used += key_length;
    keep_message(g, x, &parts);
    return 1;
}

Groups *groups_new(const LineShape *shape, FILE *rows) {
    Groups *g = calloc(1, sizeof *g);
    if (g == NULL) return NULL;
    g->shape = shape;
    g->rows = rows;
    void *groups;
    if (!table_alloc(&g->slots, SLOTS, &groups, MAX_GROUPS * sizeof *g->groups, &g->arena, ARENA_BYTES)) {
        free(g);
        return NULL;
    }
    g->groups = groups;
    return g;
}

long long groups_continued(const Groups *g) { return g->continued; }

long long groups_rows(const Groups *g) { return g->written; }

long long groups_bytes(const Groups *g) { return g->bytes; }

void groups_free(Groups *g) {
    if (g == NULL) return;
    table_free(g->slots, g->groups, g->arena);
    free(g);
}
