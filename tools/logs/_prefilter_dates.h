/* The calendar arithmetic the prefilter's stamp readers share (_prefilter_groups.c, _prefilter_fields.c). */
#ifndef WICKED_PREFILTER_DATES_H
#define WICKED_PREFILTER_DATES_H

/* `n` ASCII digits at `at` as a number in *value; 0 when any is not a digit. */
static inline int stamp_digits(const unsigned char *at, int n, int *value) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (at[i] < '0' || at[i] > '9') return 0;
        v = v * 10 + (at[i] - '0');
    }
    *value = v;
    return 1;
}

/* Days in `month` (1-12) of `year`, leap years of the Gregorian calendar counted. */
static inline int stamp_month_days(int year, int month) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap);
}

#endif
