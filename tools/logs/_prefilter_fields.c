/* The time of a JSON or logfmt line, for the lines the prefilter passes over.
 *
 * A structured line that holds none of the vocabulary needs only its time: the scan's SQL counts it,
 * inside or outside the window, with its earliest and latest stamp. Its time is the value of the first
 * of the sniffed time keys the line has (JSON: json_extract_string of each path, the first not NULL;
 * logfmt: the leftmost `key=value` of any of them, as the SQL's regex finds it), read by iso_to_us.
 * This reads it here only where it is sure to get the same: the value is an ISO 8601 stamp of one
 * strict shape (`2024-01-15T14:23:15`, a blank for the T, a `.` fraction of 1 to 6 digits, `Z` or
 * `+02:00`, or no zone when the scan's zone is UTC) on the calendar of the stamp years; a JSON line is
 * a valid JSON object (a stricter reading than DuckDB's: anything it is unsure of, a number of many
 * digits, a \u escape of a surrogate, nesting past 64, a key spelt with escapes, is left to the SQL)
 * whose time key comes once at its top level, its value a string without escapes; a quoted logfmt
 * value has no escapes. A JSON line that may state its level as a number or a letter (`"level":50`,
 * `"s":"E"`: the SQL's extra vocabulary, `"KEY"\s*:\s*"?X` in the raw line) is left to the SQL too:
 * a marker key (any case) whose value opens with a byte of `marked`. In a line this parser accepts, the
 * raw text `"KEY"` followed by a colon is always a key: a quote inside a string is escaped, and a key
 * with an escape is refused. Any other line goes to the SQL: needlessly at worst, never to a different
 * answer.
 */
#include "_prefilter_fields.h"
#include "_prefilter_dates.h"

#include <string.h>

#define MIN_US STAMP_MIN_US                         /* 1970-01-01T00:00:00Z */
#define MAX_US STAMP_MAX_US                         /* the last microsecond before 2200 */
#define MAX_DEPTH 64
#define MAX_NUMBER 15                               /* characters of a number this reads as sure */

/* Epoch µs of a whole text of the strict shape (see the module's doc); 0 when it is not one. */
int iso_stamp_us(const unsigned char *s, size_t n, int naive_utc, long long *us) {
    int year, month, day, hour, minute, second;
    if (n < 19 || !stamp_digits(s, 4, &year) || s[4] != '-' || !stamp_digits(s + 5, 2, &month) || s[7] != '-'
        || !stamp_digits(s + 8, 2, &day) || (s[10] != 'T' && s[10] != ' ') || !stamp_digits(s + 11, 2, &hour) || s[13] != ':'
        || !stamp_digits(s + 14, 2, &minute) || s[16] != ':' || !stamp_digits(s + 17, 2, &second))
        return 0;
    if (year < 1970 || year >= 2200 || month < 1 || month > 12 || day < 1 || day > stamp_month_days(year, month)
        || hour > 23 || minute > 59 || second > 59)
        return 0;
    size_t i = 19;
    long long fraction = 0;
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == start || i - start > 6) return 0;  /* a seventh digit DuckDB would round */
        for (size_t k = start; k < i; k++) fraction = fraction * 10 + (s[k] - '0');
        for (size_t k = i - start; k < 6; k++) fraction *= 10;
    }
    long long offset = 0;
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int hours, minutes;
        if (i + 6 != n || !stamp_digits(s + i + 1, 2, &hours) || s[i + 3] != ':' || !stamp_digits(s + i + 4, 2, &minutes)
            || hours > 15 || minutes > 59)
            return 0;
        offset = (s[i] == '-' ? -1 : 1) * (hours * 3600LL + minutes * 60LL);
        i += 6;
    } else if (!naive_utc) {
        return 0;  /* read in the scan's zone: the SQL decides */
    }
    if (i != n) return 0;
    long long value = ((stamp_days_from_civil(year, month, day) * 86400LL + hour * 3600LL + minute * 60LL + second) - offset)
        * 1000000LL + fraction;
    if (value < MIN_US || value > MAX_US) return 0;
    *us = value;
    return 1;
}

static unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* JSON ------------------------------------------------------------------------------------------------ */

typedef struct {
    const unsigned char *s;
    size_t n, i;
    const FieldKeys *markers;     /* NULL: a level stated by a number or a letter is no concern */
    const TopKeys *wanted;        /* the top-level keys whose values are kept */
    TopValue *values;             /* by wanted key */
    int simple;                   /* the line holds no backslash and no tab: a string ends at the next quote */
} Json;

static void blanks(Json *j) {
    while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t')) j->i++;
}

static int is_hex(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

/* A string at j->i (its opening quote); sets where its content is and whether it has escapes. */
static int json_string(Json *j, const unsigned char **start, size_t *length, int *escaped) {
    if (j->i >= j->n || j->s[j->i] != '"') return 0;
    size_t from = ++j->i;
    *escaped = 0;
    if (j->simple) {  /* most lines: memchr finds the end many bytes at a time */
        const unsigned char *end = memchr(j->s + from, '"', j->n - from);
        if (end == NULL) return 0;
        *start = j->s + from;
        *length = (size_t)(end - *start);
        j->i = (size_t)(end - j->s) + 1;
        return 1;
    }
    while (j->i < j->n) {
        unsigned char c = j->s[j->i];
        if (c == '"') {
            *start = j->s + from;
            *length = j->i - from;
            j->i++;
            return 1;
        }
        if (c < 0x20) return 0;  /* a tab in a string is not JSON */
        if (c == '\\') {
            *escaped = 1;
            if (j->i + 1 >= j->n) return 0;
            unsigned char e = j->s[j->i + 1];
            if (e == 'u') {
                if (j->i + 5 >= j->n || !is_hex(j->s[j->i + 2]) || !is_hex(j->s[j->i + 3]) || !is_hex(j->s[j->i + 4])
                    || !is_hex(j->s[j->i + 5]))
                    return 0;
                if ((j->s[j->i + 2] | 0x20) == 'd' && strchr("89abAB", j->s[j->i + 3]) != NULL) return 0;  /* surrogates */
                j->i += 6;
                continue;
            }
            if (strchr("\"\\/bfnrt", e) == NULL || e == 0) return 0;
            j->i += 2;
            continue;
        }
        j->i++;
    }
    return 0;
}

static int json_number(Json *j) {
    size_t start = j->i;
    if (j->i < j->n && j->s[j->i] == '-') j->i++;
    if (j->i >= j->n) return 0;
    if (j->s[j->i] == '0') {
        j->i++;
    } else if (j->s[j->i] >= '1' && j->s[j->i] <= '9') {
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') j->i++;
    } else {
        return 0;
    }
    if (j->i < j->n && j->s[j->i] == '.') {
        size_t at = ++j->i;
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') j->i++;
        if (j->i == at) return 0;
    }
    if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-')) j->i++;
        size_t at = j->i;
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') j->i++;
        if (j->i == at || j->i - at > 2) return 0;
    }
    return j->i - start <= MAX_NUMBER;
}

static int json_value(Json *j, int depth);

/* Whether a key is one of the markers, in any case. */
static int is_marker(const FieldKeys *k, const unsigned char *key, size_t length) {
    for (int m = 0; m < k->markers.count; m++) {
        if (k->markers.lengths[m] != length) continue;
        size_t c = 0;
        while (c < length && lower(key[c]) == k->markers.keys[m][c]) c++;
        if (c == length) return 1;
    }
    return 0;
}

static int json_literal(Json *j, const char *word) {
    size_t n = strlen(word);
    if (j->i + n > j->n || memcmp(j->s + j->i, word, n) != 0) return 0;
    j->i += n;
    return 1;
}

static int json_object(Json *j, int depth) {
    j->i++;  /* { */
    blanks(j);
    if (j->i < j->n && j->s[j->i] == '}') {
        j->i++;
        return 1;
    }
    for (;;) {
        const unsigned char *key;
        size_t key_length;
        int escaped;
        blanks(j);
        if (!json_string(j, &key, &key_length, &escaped)) return 0;
        if (escaped) return 0;  /* a key spelt with escapes may be a time key: the SQL decides */
        blanks(j);
        if (j->i >= j->n || j->s[j->i] != ':') return 0;
        j->i++;
        blanks(j);
        if (j->markers != NULL && is_marker(j->markers, key, key_length) && j->i < j->n) {
            /* `"level": 50`, `"s": "E"`: the value may say a level no word says (see the module's doc) */
            size_t at = j->i + (j->s[j->i] == '"');
            if (at < j->n && j->markers->marked[j->s[at]]) return 0;
        }
        int which = -1;
        if (depth == 1) {
            for (int k = 0; k < j->wanted->count; k++) {
                if (j->wanted->lengths[k] != key_length || memcmp(j->wanted->keys[k], key, key_length) != 0) continue;
                j->values[k].found++;
                which = k;
            }
        }
        if (which >= 0) {
            TopValue value = {0};
            if (j->i < j->n && j->s[j->i] == '"') {
                if (!json_string(j, &value.value, &value.length, &value.escaped)) return 0;
                value.string = 1;
            } else if (!json_value(j, depth)) {
                return 0;
            }
            for (int k = 0; k < j->wanted->count; k++) {  /* every wanted key spelt so: the last value, as found counts */
                if (j->wanted->lengths[k] != key_length || memcmp(j->wanted->keys[k], key, key_length) != 0) continue;
                value.found = j->values[k].found;
                j->values[k] = value;
            }
        } else if (!json_value(j, depth)) {
            return 0;
        }
        blanks(j);
        if (j->i >= j->n) return 0;
        if (j->s[j->i] == '}') {
            j->i++;
            return 1;
        }
        if (j->s[j->i] != ',') return 0;
        j->i++;
    }
}

static int json_array(Json *j, int depth) {
    j->i++;  /* [ */
    blanks(j);
    if (j->i < j->n && j->s[j->i] == ']') {
        j->i++;
        return 1;
    }
    for (;;) {
        blanks(j);
        if (!json_value(j, depth)) return 0;
        blanks(j);
        if (j->i >= j->n) return 0;
        if (j->s[j->i] == ']') {
            j->i++;
            return 1;
        }
        if (j->s[j->i] != ',') return 0;
        j->i++;
    }
}

static int json_value(Json *j, int depth) {
    if (j->i >= j->n) return 0;
    unsigned char c = j->s[j->i];
    if (c == '{' || c == '[') {
        if (depth + 1 > MAX_DEPTH) return 0;
        return c == '{' ? json_object(j, depth + 1) : json_array(j, depth + 1);
    }
    if (c == '"') {
        const unsigned char *start;
        size_t length;
        int escaped;
        return json_string(j, &start, &length, &escaped);
    }
    if (c == 't') return json_literal(j, "true");
    if (c == 'f') return json_literal(j, "false");
    if (c == 'n') return json_literal(j, "null");
    return json_number(j);
}

int json_top_values(const FieldKeys *markers, const TopKeys *wanted, const unsigned char *line, size_t length,
                    TopValue *values) {
    if (length < 2 || line[0] != '{') return 0;
    memset(values, 0, (size_t)wanted->count * sizeof *values);
    Json j = {.s = line, .n = length, .i = 0, .markers = markers, .wanted = wanted, .values = values,
              .simple = memchr(line, '\\', length) == NULL && memchr(line, '\t', length) == NULL};
    return json_object(&j, 1) && j.i == length;
}

int json_first_value(const TopValue *values, int count, const unsigned char **value, size_t *length) {
    for (int k = 0; k < count; k++) {
        if (values[k].found == 0) continue;  /* absent: the SQL tries the next key */
        if (values[k].found > 1 || !values[k].string || values[k].escaped) return -1;
        *value = values[k].value;
        *length = values[k].length;
        return 1;
    }
    return 0;
}

static int json_stamp(const FieldKeys *k, const unsigned char *line, size_t length, long long *us) {
    TopValue values[MAX_FIELD_KEYS];
    const unsigned char *value;
    size_t value_length;
    if (!json_top_values(k, &k->time, line, length, values)) return 0;
    if (json_first_value(values, k->time.count, &value, &value_length) != 1) return 0;  /* no time: a candidate */
    return iso_stamp_us(value, value_length, k->naive_utc, us);
}

/* logfmt ---------------------------------------------------------------------------------------------- */

int logfmt_value(const TopKeys *keys, const unsigned char *s, size_t n, const unsigned char **value, size_t *length) {
    /* The leftmost `key=` of any of the keys that opens the line or follows a blank, as RE2 finds
     * `(?:^|[ \t])(?:k1|k2)=(...)`: two keys cannot both match at one place, as a key holds no `=`. */
    for (size_t at = 0; at < n; at++) {
        if (at > 0 && s[at - 1] != ' ' && s[at - 1] != '\t') continue;
        for (int key = 0; key < keys->count; key++) {
            size_t len = keys->lengths[key];
            if (at + len >= n || s[at + len] != '=' || memcmp(s + at, keys->keys[key], len) != 0) continue;
            size_t start = at + len + 1, end = start;
            if (start < n && s[start] == '"') {
                /* quoted: its content, without escapes (the SQL would unescape them) */
                end = start + 1;
                while (end < n && s[end] != '"' && s[end] != '\\') end++;
                if (end >= n || s[end] != '"') return -1;
                *value = s + start + 1;
                *length = end - start - 1;
                return 1;
            }
            while (end < n && s[end] != ' ' && s[end] != '\t') end++;
            *value = s + start;
            *length = end - start;
            return 1;
        }
    }
    return 0;
}

static int logfmt_stamp(const FieldKeys *k, const unsigned char *s, size_t n, long long *us) {
    const unsigned char *value;
    size_t length;
    return logfmt_value(&k->time, s, n, &value, &length) == 1 && iso_stamp_us(value, length, k->naive_utc, us);
}

int field_stamp_us(const FieldKeys *k, const unsigned char *line, size_t length, long long *us) {
    if (k->kind == FIELDS_JSON) return json_stamp(k, line, length, us);
    if (k->kind == FIELDS_LOGFMT) return logfmt_stamp(k, line, length, us);
    return 0;
}

int set_top_keys(TopKeys *keys, PyObject *sequence, int most, int fold) {
    Py_ssize_t n = PySequence_Length(sequence);
    if (n < 0) return -1;
    if (n > most || keys->count + n > MAX_TOP_KEYS) {
        PyErr_Format(PyExc_ValueError, "at most %d field keys", most);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_GetItem(sequence, i);
        if (item == NULL) return -1;
        char *text;
        Py_ssize_t length;
        int bad = PyBytes_AsStringAndSize(item, &text, &length) < 0;
        if (!bad && (length < 1 || length >= MAX_FIELD_KEY)) {
            PyErr_Format(PyExc_ValueError, "a field key has 1 to %d bytes", MAX_FIELD_KEY - 1);
            bad = 1;
        }
        if (!bad) {
            int at = keys->count++;
            for (Py_ssize_t j = 0; j < length; j++)
                keys->keys[at][j] = fold ? lower((unsigned char)text[j]) : (unsigned char)text[j];
            keys->lengths[at] = (size_t)length;
        }
        Py_DECREF(item);
        if (bad) return -1;
    }
    return 0;
}

int set_field_keys(FieldKeys *k, int kind, PyObject *keys, PyObject *markers, PyObject *marked, int naive_utc) {
    memset(k, 0, sizeof *k);
    if (kind != FIELDS_JSON && kind != FIELDS_LOGFMT) {
        PyErr_SetString(PyExc_ValueError, "fields are json (1) or logfmt (2)");
        return -1;
    }
    k->kind = kind;
    k->naive_utc = naive_utc;
    if (set_top_keys(&k->time, keys, MAX_FIELD_KEYS, 0) < 0) return -1;
    if (set_top_keys(&k->markers, markers, MAX_FIELD_KEYS, 1) < 0) return -1;
    char *text;
    Py_ssize_t length;
    if (PyBytes_AsStringAndSize(marked, &text, &length) < 0) return -1;
    for (Py_ssize_t i = 0; i < length; i++) k->marked[(unsigned char)text[i]] = 1;
    return 0;
}
