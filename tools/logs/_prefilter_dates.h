/* The calendar arithmetic the prefilter's stamp readers share (_prefilter_groups.c, _prefilter_fields.c,
 * _prefilter_access.c). */
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

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static inline long long stamp_days_from_civil(int year, int month, int day) {
    year -= month <= 2;
    long long era = (year >= 0 ? year : year - 399) / 400;
    long long yoe = year - era * 400;
    long long doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The scan's stamps run from 1970 to the last microsecond before 2200 (line_sql.bounded_us): epoch µs. */
#define STAMP_MIN_US 0LL
#define STAMP_MAX_US (7258118400LL * 1000000LL - 1)

#endif
