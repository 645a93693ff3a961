/* The memory of the grouping tables (_prefilter_groups.c, _prefilter_fieldgroups.c, _prefilter_access.c): open
 * addressing over `slots` (-1: empty) into an array of groups, whose keys and messages are kept in an arena. Each
 * module has its own group, key and flush; this is what they share. */
#ifndef WICKED_PLATFORM_PREFILTER_TABLE_H
#define WICKED_PLATFORM_PREFILTER_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline void table_free(int32_t *slots, void *groups, unsigned char *arena) {
    free(slots);
    free(groups);
    free(arena);
}

/* Every slot empty again, and no group or arena byte in use: after a flush. */
static inline void table_clear(int32_t *slots, size_t slot_count, unsigned *count, size_t *used) {
    memset(slots, 0xff, slot_count * sizeof *slots);
    *count = 0;
    *used = 0;
}

/* The slots (every one empty), the groups and the arena; 0, with nothing held, when memory runs out. */
static inline int table_alloc(int32_t **slots, size_t slot_count, void **groups, size_t group_bytes,
                              unsigned char **arena, size_t arena_bytes) {
    *slots = malloc(slot_count * sizeof **slots);
    *groups = malloc(group_bytes);
    *arena = malloc(arena_bytes);
    if (*slots == NULL || *groups == NULL || *arena == NULL) {
        table_free(*slots, *groups, *arena);
        *slots = NULL, *groups = NULL, *arena = NULL;
        return 0;
    }
    memset(*slots, 0xff, slot_count * sizeof **slots);
    return 1;
}

#endif
