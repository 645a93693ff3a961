/* The prefilter of a large plain log, in C: the one step of a scan that touches every byte.
 *
 * DuckDB reading a gigabyte as lines and testing each against the vocabulary is most of a scan's time,
 * and grep does the same test several times faster. This reads a byte range of a file, and for every
 * line it is sure of, does what the scan's SQL does with a line its prefilter passes over: counts it,
 * inside or outside the window, and keeps the least and greatest of its first characters. Of the other
 * lines, those of the common plain shape are grouped as the SQL would group them (_prefilter_groups.c),
 * when the caller asks for it; the rest it writes to a file, which the scan's SQL then reads in full as
 * it would have read the original.
 *
 * Sure means: printable ASCII (any other byte, and DuckDB's Unicode case folding or UTF-8 rules might
 * see the line otherwise), no longer than DuckDB reads, opening with a stamp year, and holding none of
 * the vocabulary words in any case. Anything else is written out, so the SQL decides it: a line sent
 * there needlessly costs time, never a different answer. Where DuckDB would cut the file's lines
 * differently from how the C does, the file is refused and the scan reads it the old way: a carriage
 * return inside a line; a line ending in CR LF when the file's first line ends in a bare LF (DuckDB
 * then reads an empty line after each); a line near DuckDB's limit; a byte order mark opening a line
 * that would open a written file (DuckDB drops it there, and only there). So is a file most of whose
 * bytes are being written out: the copy would cost more than it saves.
 *
 * A JSON or logfmt file (`fields`) is read alike, but a line is sure when its time, the one thing the
 * SQL needs of a line it passes over, is read here as the SQL reads it (_prefilter_fields.c); such a
 * line is counted inside or outside the window by that time, with its earliest and latest. Of the other
 * lines, those it is sure to read as the SQL does are grouped as the SQL would group them
 * (_prefilter_fieldgroups.c), when the caller asks for it.
 *
 * An access log (`access`) has no line to pass over: every line is a request the SQL takes apart. Those
 * the C is sure to read as the SQL does are counted into the SQL's rows instead (_prefilter_access.c).
 *
 * Python calls `split_range` from several threads at once, one byte range each; the GIL is released
 * while it reads.
 */
#include "_prefilter_access.h"
#include "_prefilter_bytes.h"
#include "_prefilter_fieldgroups.h"
#include "_prefilter_fields.h"
#include "_prefilter_groups.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_BYTES (4u << 20)


typedef struct {
    const unsigned char *text;
    size_t length;
} Bound;                          /* a string compared with whole lines; text NULL: no bound */

typedef struct {
    long long count;
    unsigned char least[256], greatest[256];
    size_t least_length, greatest_length;
    long long least_us, greatest_us;  /* of structured lines: their earliest and latest time */
} Kind;                           /* the lines of one kind (in the window, outside it) */

typedef struct {
    Vocabulary vocabulary;
    Bound low_year, high_year, since, until;
    size_t head, max_line;
    Kind inside, outside;
    long long candidates;
    int crlf;                     /* the file's first line ends in CR LF: so may the others */
    long long written, read;      /* bytes of lines written out, and of all lines taken */
    const char *refused;          /* why the C does not decide this file; NULL: it does */
    int failed_errno;
    LineShape shape;
    Groups *groups;               /* NULL: every line not passed over is written out */
    long long continued, rows;    /* of the groups, once they are written */
    FieldKeys fields;             /* kind FIELDS_NONE: a plain file, whose lines sort as text */
    int has_since, has_until;     /* structured: the window in epoch µs, both ends inside */
    long long since_us, until_us;
    FieldShape field_shape;       /* structured: how kept lines are grouped */
    FieldGroups *field_groups;    /* NULL: every structured line not passed over is written out */
    AccessShape access_shape;
    AccessRows *access;           /* an access log: its lines counted into rows, none passed over */
} Job;

static int compare(const unsigned char *a, size_t a_length, const unsigned char *b, size_t b_length) {
    /* DuckDB's order of VARCHARs: bytes, then length. Inline, eight bytes at a time, not memcmp: lines
     * of one second share their first twenty bytes, and a call per compare, four per line, was a tenth
     * of the time. */
    size_t shorter = a_length < b_length ? a_length : b_length, i = 0;
    for (; i + 8 <= shorter; i += 8) {
        uint64_t x = big_endian_64(a + i), y = big_endian_64(b + i);
        if (x != y) return x < y ? -1 : 1;
    }
    for (; i < shorter; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return (a_length > b_length) - (a_length < b_length);
}

static void keep(Kind *kind, const unsigned char *line, size_t length, size_t head) {
    size_t n = length < head ? length : head;
    if (kind->count == 0 || compare(line, n, kind->least, kind->least_length) < 0) {
        memcpy(kind->least, line, n);
        kind->least_length = n;
    }
    if (kind->count == 0 || compare(line, n, kind->greatest, kind->greatest_length) > 0) {
        memcpy(kind->greatest, line, n);
        kind->greatest_length = n;
    }
    kind->count++;
}

static void keep_us(Kind *kind, long long us) {
    if (kind->count == 0 || us < kind->least_us) kind->least_us = us;
    if (kind->count == 0 || us > kind->greatest_us) kind->greatest_us = us;
    kind->count++;
}

#define MIN_COPY_CHECK (16LL << 20)  /* bytes read before judging how much of the file is copied */

static int refuse(Job *job, const char *why) {
    job->refused = why;
    return -1;
}

/* One line: `length` bytes, then the line end (`ended`: a LF was there; 0: the end of the file).
 * Returns 0, or -1 when the file must be read the old way. */
static int take(Job *job, FILE *out, const unsigned char *line, size_t length, int ended, int at_file_start) {
    const Vocabulary *v = &job->vocabulary;
    /* DuckDB refuses a line of its limit without a line end, and one a byte or two over it with one. */
    if (length + 2 >= job->max_line) return refuse(job, "a line too long");
    if (length > 0 && line[length - 1] == '\r') {
        if (!ended) return refuse(job, "a carriage return ending the file");  /* DuckDB's reading of it: not ours to guess */
        if (!job->crlf) return refuse(job, "CR LF line ends after a first line ending in LF");
        length--;
    }
    job->read += (long long)length + 1;
    /* Written as comparisons, not a table lookup, so the compiler runs it sixteen bytes at a time. */
    unsigned char odd = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = line[i];
        odd |= (unsigned char)((c >= 0x7f) | ((c < 0x20) & (c != '\t')));
    }
    if (odd) {
        if (memchr(line, '\r', length) != NULL) return refuse(job, "a carriage return inside a line");
        if (!at_file_start && job->candidates == 0 && length >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
            return refuse(job, "a byte order mark opening a line inside the file");
    }
    long long us = 0;
    /* A structured line is grouped only where the SQL takes it apart: a line holding a word of the vocabulary
     * (one the C keeps for a level marker alone, `"level":"E"`, the SQL may pass over). */
    int worded = job->fields.kind != FIELDS_NONE && !odd && has_word(v, line, length);
    int sure = job->access != NULL ? 0 : job->fields.kind != FIELDS_NONE
        ? !odd && !worded && field_stamp_us(&job->fields, line, length, &us)
        : !odd
        && compare(line, length, job->low_year.text, job->low_year.length) >= 0
        && compare(line, length, job->high_year.text, job->high_year.length) < 0
        && !has_word(v, line, length);
    if (!sure) {
        int taken = odd ? 0
            : job->groups != NULL ? groups_take(job->groups, line, length)
            : job->field_groups != NULL && worded ? fieldgroups_take(job->field_groups, line, length)
            : job->access != NULL ? access_take(job->access, line, length) : 0;
        if (taken < 0) {
            job->failed_errno = errno ? errno : EIO;
            return -1;
        }
        if (!taken) {
            if (fwrite(line, 1, length, out) != length || fputc('\n', out) == EOF) {
                job->failed_errno = errno ? errno : EIO;
                return -1;
            }
            job->candidates++;
            job->written += (long long)length + 1;
        }
        /* Rows count as written too: a log of alerts is a row per line, each longer than its line. */
        long long written = job->written + (job->groups != NULL ? groups_bytes(job->groups) : 0)
            + (job->field_groups != NULL ? fieldgroups_bytes(job->field_groups) : 0)
            + (job->access != NULL ? access_bytes(job->access) : 0);
        if (job->read >= MIN_COPY_CHECK && written * 2 > job->read) return refuse(job, "most lines left for SQL");
        return 0;
    }
    if (job->fields.kind != FIELDS_NONE) {
        int inside = (!job->has_since || us >= job->since_us) && (!job->has_until || us <= job->until_us);
        keep_us(inside ? &job->inside : &job->outside, us);
        return 0;
    }
    int inside = (job->since.text == NULL || compare(line, length, job->since.text, job->since.length) >= 0)
        && (job->until.text == NULL || compare(line, length, job->until.text, job->until.length) < 0);
    keep(inside ? &job->inside : &job->outside, line, length, job->head);
    return 0;
}

/* The lines starting in [start, end) of the file open as `fd`. */
static void run(Job *job, int fd, FILE *out, long long start, long long end) {
    size_t capacity = job->max_line + READ_BYTES + 2;
    unsigned char *buffer = malloc(capacity);
    if (buffer == NULL) {
        job->failed_errno = ENOMEM;
        return;
    }
    long long offset = start;  /* file offset of buffer[0] */
    size_t filled = 0, begin = 0;
    int skipping = 0;
    if (start > 0) {  /* a line that started before the range belongs to the range before */
        unsigned char before;
        ssize_t got = pread(fd, &before, 1, start - 1);
        if (got < 0) {
            job->failed_errno = errno;
            free(buffer);
            return;
        }
        skipping = got == 1 && before != '\n';
    }
    int eof = 0;
    for (;;) {
        /* the lines whole in the buffer */
        while (begin < filled) {
            unsigned char *newline = memchr(buffer + begin, '\n', filled - begin);
            if (newline == NULL) break;
            size_t stop = (size_t)(newline - buffer);
            if (offset + (long long)begin >= end && !skipping) goto done;
            if (skipping) {
                skipping = 0;
            } else if (take(job, out, buffer + begin, stop - begin, 1, offset + (long long)begin == 0) < 0) {
                goto done;
            }
            begin = stop + 1;
        }
        if (offset + (long long)begin >= end && !skipping) goto done;
        if (eof) {
            if (begin < filled && !skipping)  /* the last line, without a line end */
                take(job, out, buffer + begin, filled - begin, 0, offset + (long long)begin == 0);
            goto done;
        }
        /* keep the open line, read more after it */
        if (begin > 0) {
            memmove(buffer, buffer + begin, filled - begin);
            offset += (long long)begin;
            filled -= begin;
            begin = 0;
        }
        if (filled > job->max_line + 1) {
            if (skipping) {  /* a long line before the range: drop what is read of it */
                offset += (long long)filled;
                filled = 0;
            } else {
                refuse(job, "a line too long");
                goto done;
            }
        }
        ssize_t got = pread(fd, buffer + filled, READ_BYTES, offset + (long long)filled);
        if (got < 0) {
            if (errno == EINTR) continue;
            job->failed_errno = errno;
            goto done;
        }
        if (got == 0) eof = 1;
        filled += (size_t)got;
    }
done:
    free(buffer);
}

/* Opens the file and what is written, runs the range, and closes them (without the GIL). */
static void run_files(Job *job, const char *in_name, const char *out_name, const char *rows_name, long long start,
                      long long end) {
    int fd = open(in_name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        job->failed_errno = errno;
        return;
    }
    FILE *out = fopen(out_name, "wbe"), *rows = NULL;  /* e: close on exec */
    int structured = job->fields.kind != FIELDS_NONE, access = job->access_shape.counted != 0;
    if (out != NULL && rows_name != NULL) {
        rows = fopen(rows_name, "wbe");
        if (access) job->access = rows != NULL ? access_new(&job->access_shape, rows) : NULL;
        else if (structured) job->field_groups = rows != NULL ? fieldgroups_new(&job->field_shape, rows) : NULL;
        else job->groups = rows != NULL ? groups_new(&job->shape, rows) : NULL;
        if (rows != NULL && job->groups == NULL && job->field_groups == NULL && job->access == NULL) errno = ENOMEM;
    }
    if (out == NULL || (rows_name != NULL && job->groups == NULL && job->field_groups == NULL && job->access == NULL)) {
        job->failed_errno = errno ? errno : ENOMEM;
    } else {
        setvbuf(out, NULL, _IOFBF, 1 << 20);
        if (rows != NULL) setvbuf(rows, NULL, _IOFBF, 1 << 20);
        run(job, fd, out, start, end);
        if (job->groups != NULL && !job->failed_errno && !job->refused && groups_flush(job->groups) < 0)
            job->failed_errno = errno ? errno : EIO;
        if (job->field_groups != NULL && !job->failed_errno && !job->refused && fieldgroups_flush(job->field_groups) < 0)
            job->failed_errno = errno ? errno : EIO;
        if (job->access != NULL && !job->failed_errno && !job->refused && access_flush(job->access) < 0)
            job->failed_errno = errno ? errno : EIO;
    }
    if (job->access != NULL) {
        job->rows = access_rows(job->access);
        access_free(job->access);
        job->access = NULL;
    }
    if (job->groups != NULL) {
        job->continued = groups_continued(job->groups);
        job->rows = groups_rows(job->groups);
        groups_free(job->groups);
        job->groups = NULL;
    }
    if (job->field_groups != NULL) {
        job->rows = fieldgroups_rows(job->field_groups);
        fieldgroups_free(job->field_groups);
        job->field_groups = NULL;
    }
    if (out != NULL && fclose(out) != 0 && !job->failed_errno) job->failed_errno = errno ? errno : EIO;
    if (rows != NULL && fclose(rows) != 0 && !job->failed_errno) job->failed_errno = errno ? errno : EIO;
    close(fd);
}

static int set_bound(Bound *bound, PyObject *value) {
    if (value == Py_None) {
        bound->text = NULL;
        bound->length = 0;
        return 0;
    }
    char *text;
    Py_ssize_t length;
    if (PyBytes_AsStringAndSize(value, &text, &length) < 0) return -1;
    bound->text = (const unsigned char *)text;
    bound->length = (size_t)length;
    return 0;
}

static PyObject *kind_tuple(const Kind *kind, int structured) {
    if (kind->count == 0) return Py_BuildValue("(LOO)", kind->count, Py_None, Py_None);
    if (structured) return Py_BuildValue("(LLL)", kind->count, kind->least_us, kind->greatest_us);
    return Py_BuildValue("(Ly#y#)", kind->count, (const char *)kind->least, (Py_ssize_t)kind->least_length,
                         (const char *)kind->greatest, (Py_ssize_t)kind->greatest_length);
}

static int set_shape(LineShape *shape, int service, Py_ssize_t max_message, PyObject *events, PyObject *alerts,
                     PyObject *edges) {
    if (max_message < 0 || max_message > (1 << 20)) {
        PyErr_SetString(PyExc_ValueError, "max_message is 0 to 1 MiB");
        return -1;
    }
    shape->service = service;
    shape->max_message = (size_t)max_message;
    return set_vocabulary(&shape->events, events) < 0
        || set_words(alerts, MAX_ALERT_LEVELS, 1, MAX_WORD - 1, &shape->alerts[0][0], MAX_WORD, shape->alert_lengths,
                     &shape->alert_count, "alert levels") < 0
        || set_words(edges, MAX_EDGES, EDGE_BYTES, EDGE_BYTES, &shape->edges[0][0], EDGE_BYTES, NULL,
                     &shape->edge_count, "edges") < 0 ? -1 : 0;
}

static PyObject *split_range(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwargs) {
    static char *names[] = {"path", "out_path", "start", "end", "words", "low_year", "high_year", "since", "until",
                            "head", "max_line", "crlf", "rows_path", "service", "events", "alerts", "edges",
                            "max_message", "vector", "fields", "field_keys", "markers", "marked", "naive_utc",
                            "since_us", "until_us", "field_groups", "access", NULL};
    PyObject *path, *out_path, *words, *low_year, *high_year, *since, *until;
    PyObject *rows_arg = Py_None, *rows_path = NULL, *events = NULL, *alerts = NULL, *edges = NULL;
    long long start, end;
    Py_ssize_t head, max_line, max_message = 2000;
    int crlf, service = 0, vector = 1, fields = FIELDS_NONE, naive_utc = 0;
    PyObject *field_keys = NULL, *markers = NULL, *marked = NULL, *since_us = Py_None, *until_us = Py_None;
    PyObject *field_groups = NULL;
    unsigned int access = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&LLOSSOOnnp|$OpOOOnpiOOOpOOOI", names, PyUnicode_FSConverter, &path,
                                     PyUnicode_FSConverter, &out_path, &start, &end, &words, &low_year, &high_year,
                                     &since, &until, &head, &max_line, &crlf, &rows_arg, &service, &events, &alerts,
                                     &edges, &max_message, &vector, &fields, &field_keys, &markers, &marked, &naive_utc,
                                     &since_us, &until_us, &field_groups, &access))
        return NULL;
    PyObject *result = NULL;
    Job *job = NULL;  /* before the first `goto out`, which frees it */
    if (access != 0 && (rows_arg == Py_None || fields != FIELDS_NONE || events != NULL || access > 0x3ff)) {
        PyErr_SetString(PyExc_TypeError, "access (status classes 0-9 as bits) needs rows_path, and takes no fields or events");
        goto out;
    }
    if (access == 0 && fields == FIELDS_NONE && rows_arg != Py_None && (events == NULL || alerts == NULL || edges == NULL)) {
        PyErr_SetString(PyExc_TypeError, "rows_path needs events, alerts and edges");
        goto out;
    }
    if (fields != FIELDS_NONE && (field_keys == NULL || markers == NULL || marked == NULL
                                  || (rows_arg != Py_None) != (field_groups != NULL))) {
        PyErr_SetString(PyExc_TypeError, "fields need field_keys, markers and marked, and rows_path with field_groups");
        goto out;
    }
    if (rows_arg != Py_None && !PyUnicode_FSConverter(rows_arg, &rows_path)) goto out;
    job = calloc(1, sizeof(Job));
    if (job == NULL) {
        PyErr_NoMemory();
        goto out;
    }
    if (head < 1 || head > 256 || max_line < 3 || start < 0 || end < start) {
        PyErr_SetString(PyExc_ValueError, "head is 1 to 256 bytes, max_line 3 or more, 0 <= start <= end");
        goto out;
    }
    job->head = (size_t)head;
    job->max_line = (size_t)max_line;
    job->crlf = crlf;
    if (set_vocabulary(&job->vocabulary, words) < 0 || set_bound(&job->low_year, low_year) < 0
        || set_bound(&job->high_year, high_year) < 0 || set_bound(&job->since, since) < 0
        || set_bound(&job->until, until) < 0
        || (rows_path != NULL && !access && fields == FIELDS_NONE
            && set_shape(&job->shape, service, max_message, events, alerts, edges) < 0)
        || (fields != FIELDS_NONE && set_field_keys(&job->fields, fields, field_keys, markers, marked, naive_utc) < 0)
        || (field_groups != NULL && set_field_shape(&job->field_shape, &job->fields, field_groups) < 0))
        goto out;
    job->has_since = since_us != Py_None;
    job->has_until = until_us != Py_None;
    if (job->has_since && (job->since_us = PyLong_AsLongLong(since_us)) == -1 && PyErr_Occurred()) goto out;
    if (job->has_until && (job->until_us = PyLong_AsLongLong(until_us)) == -1 && PyErr_Occurred()) goto out;
    job->field_shape.has_since = job->has_since;
    job->field_shape.has_until = job->has_until;
    job->field_shape.since_us = job->since_us;
    job->field_shape.until_us = job->until_us;
    job->access_shape = (AccessShape){.counted = access, .has_since = job->has_since, .has_until = job->has_until,
                                      .since_us = job->since_us, .until_us = job->until_us};
    set_vector(&job->vocabulary, vector);
    set_vector(&job->shape.events, vector);
    set_vector(&job->field_shape.events, vector);
    const char *in_name = PyBytes_AS_STRING(path), *out_name = PyBytes_AS_STRING(out_path);
    const char *rows_name = rows_path != NULL ? PyBytes_AS_STRING(rows_path) : NULL;
    Py_BEGIN_ALLOW_THREADS
    run_files(job, in_name, out_name, rows_name, start, end);
    Py_END_ALLOW_THREADS
    if (job->failed_errno) {
        errno = job->failed_errno;
        PyErr_SetFromErrno(PyExc_OSError);
        goto out;
    }
    if (job->refused) {
        result = Py_BuildValue("(sO)", job->refused, Py_None);
        goto out;
    }
    int structured = job->fields.kind != FIELDS_NONE;
    PyObject *inside = kind_tuple(&job->inside, structured), *outside = kind_tuple(&job->outside, structured);
    if (inside != NULL && outside != NULL)
        result = Py_BuildValue("(O(OOLLL))", Py_None, inside, outside, job->candidates, job->continued, job->rows);
    Py_XDECREF(inside);
    Py_XDECREF(outside);
out:
    free(job);
    Py_DECREF(path);
    Py_DECREF(out_path);
    Py_XDECREF(rows_path);
    return result;
}

static PyMethodDef methods[] = {
    {"split_range", (PyCFunction)(void (*)(void))split_range, METH_VARARGS | METH_KEYWORDS,
     "split_range(path, out_path, start, end, words, low_year, high_year, since, until, head, max_line, crlf, *,\n"
     "            rows_path=None, service=False, events=None, alerts=None, edges=None, max_message=2000, vector=True,\n"
     "            fields=0, field_keys=None, markers=None, marked=None, naive_utc=False, since_us=None, until_us=None,\n"
     "            field_groups=None, access=0)\n"
     "-> (None, ((n, least, greatest), (n, least, greatest), candidates, continued, rows)) or (why refused, None);\n"
     "least and greatest are heads of lines, or with fields (1 JSON, 2 logfmt) their times in epoch µs;\n"
     "access: an access log, whose lines of the status classes set as bits are counted into rows_path"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_prefilter", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__prefilter(void) { return PyModule_Create(&module); }
