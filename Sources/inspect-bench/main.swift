// inspect-bench: measures the figures of SPEC §10. Scenarios are added with the
// features they measure; see README "Benchmarks".
print("inspect-bench: no scenarios yet")
