#ifndef CPREFETCH_H
#define CPREFETCH_H

/// Asks the CPU to start loading the cache line at `address` (a hint: never faults, any
/// address will do). Swift has no prefetch of its own; replay's applier uses this to
/// overlap the cache misses of the next events' lookups with the current one's work.
static inline void cprefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
