/* The JSON and logfmt lines the prefilter keeps, grouped in C where it is sure to read them as the SQL does.
 *
 * The lines of a structured log the prefilter cannot pass over are mostly warnings and errors of a few
 * kinds: `{"ts":"2024-01-15T14:23:15.123Z","level":"error","service":"checkout-api","msg":"Payment timeout
 * for order 42",...}`. The SQL reads each with a JSON parse (logfmt: a regex per key), then groups them by
 * second, level, service and message shape (digits written as 0), keeping the count, the earliest and
 * latest time and the message of the earliest line. That is most of what a scan of such a file costs, so
 * here it is done for the lines the C is sure of, and each group becomes one row the SQL reads
 * (`file_query.field_rows_query`).
 *
 * Sure means (beside what _prefilter_fields.c asks of a JSON line and of a time): the level is the first of
 * the sniffed level keys present, a string of letters and digits, named as levels.py names it (an alias,
 * `50` or `E`, else upper-cased: the table comes from Python); the service the first service key present,
 * a non-empty string, or none (the file's); the message the first message key present, a string (logfmt:
 * a non-empty one); no error key present (the SQL would join its value to the message); of JSON, every
 * such value a string without escapes that does not open with `{` or `[` (the SQL reads a JSON text there
 * as no value), each key once. Every other line is left to the SQL.
 *
 * A group is exact as in _prefilter_groups.c: its lines share the level, the service and the message but
 * for digits; those of errors and warnings in the window also share their second (the SQL counts them per
 * second, with the example message of the earliest, and a row of count 0 for a line that ties the earliest
 * with another message, so the SQL picks among them as it would). A line in the window that may be a
 * timeline event (an alert's level, or an event word in its message) is a row of its own with its line,
 * which an event keeps: the SQL decides whether it is one. Other lines are grouped by level and service
 * alone, inside the window or outside it: the SQL keeps only their count and times.
 *
 * A row: inside (1) or outside (0) the window, level name, service, shape, second, earliest and latest
 * time in epoch µs, count, example message, and the line of a possible event; separated by 0x1f, which a
 * printable line lacks.
 */
#include "_prefilter_fieldgroups.h"
#include "_prefilter_table.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS (1u << 17)          /* open addressing, at most half full */
#define MAX_GROUPS (1u << 16)
#define ARENA_BYTES (8u << 20)    /* keys and example messages; the table is flushed when either fills */
#define MAX_SERVICE 256
#define SEPARATOR 0x1f

typedef struct {
    uint64_t hash;
    uint32_t key, key_length;     /* in the arena: inside, level, service, shape, second, separated */
    uint32_t message, message_length;
    long long least, greatest, count;
} Group;

struct FieldGroups {
    const FieldShape *shape;
    FILE *rows;
    int32_t *slots;               /* index into `groups`, -1: empty */
    Group *groups;
    unsigned count;
    unsigned char *arena;
    size_t used;
    long long written, bytes;
};

typedef struct {
    long long us;
    int inside, signed_level, alert;  /* signed: an error, a warning or an alert, which the SQL signs */
    const unsigned char *level, *service, *message;
    size_t level_length, service_length, message_length;  /* service_length 0: the file's service */
    unsigned char upper[MAX_LEVEL_NAME];
} Parts;

static int among(unsigned char rows[][MAX_LEVEL_NAME], const size_t *lengths, int count, const unsigned char *text,
                 size_t length) {
    for (int k = 0; k < count; k++)
        if (lengths[k] == length && memcmp(rows[k], text, length) == 0) return k;
    return -1;
}

/* The level's name as levels.level_name_sql gives it, of a value of letters and digits; 0 for any other
 * value (a blank to trim, non-ASCII to upper-case: the SQL decides). */
static int level_of(const FieldShape *s, const unsigned char *value, size_t length, Parts *p) {
    if (length == 0 || length >= MAX_LEVEL_NAME) return 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = value[i];
        if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))) return 0;
        p->upper[i] = (c >= 'a' && c <= 'z') ? c - 32 : c;
    }
    int alias = among((unsigned char (*)[MAX_LEVEL_NAME])s->aliases, s->alias_lengths, s->alias_count, value, length);
    if (alias >= 0) {
        p->level = s->alias_names[alias];
        p->level_length = s->alias_name_lengths[alias];
    } else {
        p->level = p->upper;
        p->level_length = length;
    }
    p->alert = among((unsigned char (*)[MAX_LEVEL_NAME])s->alerts, s->alert_lengths, s->alert_count, p->level,
                     p->level_length) >= 0;
    p->signed_level = p->alert || among((unsigned char (*)[MAX_LEVEL_NAME])s->signed_names, s->signed_lengths, s->signed_count,
                            p->level, p->level_length) >= 0;
    return 1;
}

static int opens_json(const unsigned char *value, size_t length) {
    return length > 0 && (value[0] == '{' || value[0] == '[');
}

static int parse_json(const FieldShape *s, const unsigned char *line, size_t length, Parts *p) {
    TopValue values[MAX_TOP_KEYS];
    const unsigned char *v;
    size_t n;
    if (!json_top_values(NULL, &s->wanted, line, length, values)) return 0;
    for (int k = s->error_at; k < s->end_at; k++)
        if (values[k].found) return 0;  /* its value would join the message */
    if (json_first_value(values, s->level_at, &v, &n) != 1 || !iso_stamp_us(v, n, s->fields->naive_utc, &p->us))
        return 0;
    if (json_first_value(values + s->level_at, s->service_at - s->level_at, &v, &n) != 1 || !level_of(s, v, n, p))
        return 0;
    int found = json_first_value(values + s->service_at, s->message_at - s->service_at, &v, &n);
    if (found < 0 || (found == 1 && (n == 0 || n > MAX_SERVICE || opens_json(v, n)))) return 0;
    p->service = found == 1 ? v : (const unsigned char *)"";
    p->service_length = found == 1 ? n : 0;
    if (json_first_value(values + s->message_at, s->error_at - s->message_at, &v, &n) != 1 || opens_json(v, n))
        return 0;
    p->message = v;
    p->message_length = n;
    return 1;
}

static int parse_logfmt(const FieldShape *s, const unsigned char *line, size_t length, Parts *p) {
    const unsigned char *v;
    size_t n;
    if (logfmt_value(&s->error, line, length, &v, &n) != 0) return 0;
    if (logfmt_value(&s->time, line, length, &v, &n) != 1 || !iso_stamp_us(v, n, s->fields->naive_utc, &p->us))
        return 0;
    if (logfmt_value(&s->level, line, length, &v, &n) != 1 || !level_of(s, v, n, p)) return 0;
    int found = logfmt_value(&s->service, line, length, &v, &n);  /* none, or empty: the file's service */
    if (found < 0 || (found == 1 && n > MAX_SERVICE)) return 0;
    p->service = found == 1 ? v : (const unsigned char *)"";
    p->service_length = found == 1 ? n : 0;
    if (logfmt_value(&s->message, line, length, &v, &n) != 1 || n == 0) return 0;  /* none: the SQL's message is the line */
    p->message = v;
    p->message_length = n;
    return 1;
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

static unsigned char *write_number(unsigned char *at, long long value) {
    unsigned char digits[24];
    int n = 0;
    do {
        digits[n++] = (unsigned char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    while (n > 0) *at++ = digits[--n];
    return at;
}

static unsigned char *put(unsigned char *at, const unsigned char *bytes, size_t n) {
    memcpy(at, bytes, n);
    return at + n;
}

/* The group's key, written at the free end of the arena (kept only if the group is new). Errors and warnings
 * in the window are counted per second and per message shape; other lines need only their count and times. */
static size_t write_key(FieldGroups *g, const Parts *p, int per_second) {
    unsigned char *at = g->arena + g->used, *start = at;
    *at++ = p->inside ? '1' : '0';
    *at++ = SEPARATOR;
    at = put(at, p->level, p->level_length);
    *at++ = SEPARATOR;
    at = put(at, p->service, p->service_length);
    *at++ = SEPARATOR;
    if (per_second) {
        for (size_t i = 0; i < p->message_length; i++) {
            unsigned char c = p->message[i];
            *at++ = (c >= '1' && c <= '9') ? '0' : c;
        }
    }
    *at++ = SEPARATOR;
    if (per_second) at = write_number(at, p->us / 1000000);
    return (size_t)(at - start);
}

static int write_row(FieldGroups *g, const unsigned char *key, size_t key_length, long long least, long long greatest,
                     long long count, const unsigned char *message, size_t message_length, const unsigned char *line,
                     size_t line_length) {
    unsigned char numbers[80], *at = numbers;
    *at++ = SEPARATOR;
    at = write_number(at, least);
    *at++ = SEPARATOR;
    at = write_number(at, greatest);
    *at++ = SEPARATOR;
    at = write_number(at, count);
    *at++ = SEPARATOR;
    size_t n = (size_t)(at - numbers);
    if (fwrite(key, 1, key_length, g->rows) != key_length || fwrite(numbers, 1, n, g->rows) != n
        || fwrite(message, 1, message_length, g->rows) != message_length || fputc(SEPARATOR, g->rows) == EOF
        || fwrite(line, 1, line_length, g->rows) != line_length || fputc('\n', g->rows) == EOF)
        return -1;
    g->written++;
    g->bytes += (long long)(key_length + n + message_length + line_length + 2);
    return 0;
}

int fieldgroups_flush(FieldGroups *g) {
    for (unsigned k = 0; k < g->count; k++) {
        const Group *x = &g->groups[k];
        if (write_row(g, g->arena + x->key, x->key_length, x->least, x->greatest, x->count, g->arena + x->message,
                      x->message_length, NULL, 0) < 0)
            return -1;
    }
    table_clear(g->slots, SLOTS, &g->count, &g->used);
    return 0;
}

static void keep_message(FieldGroups *g, Group *x, const Parts *p) {
    x->message = (uint32_t)g->used;
    x->message_length = (uint32_t)p->message_length;
    memcpy(g->arena + g->used, p->message, p->message_length);
    g->used += p->message_length;
}

int fieldgroups_take(FieldGroups *g, const unsigned char *line, size_t length) {
    const FieldShape *s = g->shape;
    Parts p = {0};
    if (!(s->fields->kind == FIELDS_JSON ? parse_json(s, line, length, &p) : parse_logfmt(s, line, length, &p)))
        return 0;
    if (p.message_length > s->max_message) p.message_length = s->max_message;
    p.inside = (!s->has_since || p.us >= s->since_us) && (!s->has_until || p.us <= s->until_us);
    int per_second = p.inside && p.signed_level;
    int event = p.inside && (p.alert || has_word(&s->events, p.message, p.message_length));
    if (!per_second && !event) p.message_length = 0;  /* no example is kept of such lines */
    /* Room for a key and a message, before writing either. */
    size_t needed = 64 + MAX_LEVEL_NAME + MAX_SERVICE + 2 * p.message_length;
    if ((g->count >= MAX_GROUPS || ARENA_BYTES - g->used < needed) && fieldgroups_flush(g) < 0) return -1;
    size_t key_length = write_key(g, &p, per_second || event);
    const unsigned char *key = g->arena + g->used;
    if (event)  /* a row of its own, with its line (cut as the SQL cuts it): an event keeps its fields */
        return write_row(g, key, key_length, p.us, p.us, 1, p.message, p.message_length, line,
                         length < s->max_message ? length : s->max_message) < 0 ? -1 : 1;
    uint64_t hash = hash_bytes(key, key_length);
    unsigned slot = (unsigned)hash & (SLOTS - 1);
    for (; g->slots[slot] >= 0; slot = (slot + 1) & (SLOTS - 1)) {
        Group *x = &g->groups[g->slots[slot]];
        if (x->hash != hash || x->key_length != key_length || memcmp(g->arena + x->key, key, key_length) != 0) continue;
        x->count++;
        if (p.us > x->greatest) x->greatest = p.us;
        if (p.us < x->least) {
            x->least = p.us;
            keep_message(g, x, &p);
            return 1;
        }
        if (per_second && p.us == x->least && (x->message_length != p.message_length
                                               || memcmp(g->arena + x->message, p.message, p.message_length) != 0))
            return write_row(g, g->arena + x->key, x->key_length, x->least, x->least, 0, p.message, p.message_length,
                             NULL, 0) < 0 ? -1 : 1;
        return 1;
    }
    Group *x = &g->groups[g->count];
    g->slots[slot] = (int32_t)g->count++;
    *x = (Group){.hash = hash, .key = (uint32_t)g->used, .key_length = (uint32_t)key_length, .least = p.us,
                 .greatest = p.us, .count = 1};
    g->used += key_length;
    keep_message(g, x, &p);
    return 1;
}

FieldGroups *fieldgroups_new(const FieldShape *shape, FILE *rows) {
    FieldGroups *g = calloc(1, sizeof *g);
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

long long fieldgroups_rows(const FieldGroups *g) { return g->written; }

long long fieldgroups_bytes(const FieldGroups *g) { return g->bytes; }

void fieldgroups_free(FieldGroups *g) {
    if (g == NULL) return;
    table_free(g->slots, g->groups, g->arena);
    free(g);
}

/* Names of a fixed kind: bytes of 1 to MAX_LEVEL_NAME - 1 each, at most MAX_LEVEL_NAMES. */
static int set_names(PyObject *sequence, unsigned char rows[][MAX_LEVEL_NAME], size_t *lengths, int *count) {
    return set_words(sequence, MAX_LEVEL_NAMES, 1, MAX_LEVEL_NAME - 1, &rows[0][0], MAX_LEVEL_NAME, lengths, count,
                     "level names");
}

int set_field_shape(FieldShape *s, const FieldKeys *fields, PyObject *spec) {
    PyObject *level, *service, *message, *error, *alias_texts, *alias_names, *alerts, *signed_names, *events;
    Py_ssize_t max_message;
    if (!PyArg_ParseTuple(spec, "OOOOOOOOOn;field_groups is (level keys, service keys, message keys, error keys, "
                          "alias texts, alias names, alerts, signed, events, max_message)", &level, &service, &message,
                          &error, &alias_texts, &alias_names, &alerts, &signed_names, &events, &max_message))
        return -1;
    if (max_message < 0 || max_message > (1 << 20)) {
        PyErr_SetString(PyExc_ValueError, "max_message is 0 to 1 MiB");
        return -1;
    }
    memset(s, 0, sizeof *s);
    s->fields = fields;
    s->max_message = (size_t)max_message;
    int alias_name_count = 0;
    if (set_names(alias_texts, s->aliases, s->alias_lengths, &s->alias_count) < 0
        || set_names(alias_names, s->alias_names, s->alias_name_lengths, &alias_name_count) < 0
        || set_names(alerts, s->alerts, s->alert_lengths, &s->alert_count) < 0
        || set_names(signed_names, s->signed_names, s->signed_lengths, &s->signed_count) < 0
        || set_vocabulary(&s->events, events) < 0)
        return -1;
    if (alias_name_count != s->alias_count) {
        PyErr_SetString(PyExc_ValueError, "a name for every alias");
        return -1;
    }
    /* JSON: every key in one table, so one parse finds them all; logfmt: a table per part, searched in turn. */
    s->time = fields->time;
    for (int k = 0; k < fields->time.count; k++) {
        memcpy(s->wanted.keys[k], fields->time.keys[k], MAX_FIELD_KEY);
        s->wanted.lengths[k] = fields->time.lengths[k];
    }
    s->wanted.count = fields->time.count;
    s->level_at = s->wanted.count;
    if (set_top_keys(&s->wanted, level, MAX_FIELD_KEYS, 0) < 0 || set_top_keys(&s->level, level, MAX_FIELD_KEYS, 0) < 0)
        return -1;
    s->service_at = s->wanted.count;
    if (set_top_keys(&s->wanted, service, MAX_FIELD_KEYS, 0) < 0
        || set_top_keys(&s->service, service, MAX_FIELD_KEYS, 0) < 0)
        return -1;
    s->message_at = s->wanted.count;
    if (set_top_keys(&s->wanted, message, MAX_FIELD_KEYS, 0) < 0
        || set_top_keys(&s->message, message, MAX_FIELD_KEYS, 0) < 0)
        return -1;
    s->error_at = s->wanted.count;
    if (set_top_keys(&s->wanted, error, 2 * MAX_FIELD_KEYS, 0) < 0
        || set_top_keys(&s->error, error, 2 * MAX_FIELD_KEYS, 0) < 0)
        return -1;
    s->end_at = s->wanted.count;
    if (s->level.count == 0) {
        PyErr_SetString(PyExc_ValueError, "field groups need a level key");
        return -1;
    }
    return 0;
}
