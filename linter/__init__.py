"""cloudtrail-lint: every CloudTrail trail must deliver to CloudWatch Logs and keep its logs long enough."""

__version__ = "0.1.0"

#: Garbage collection thresholds for the command and its workers, far above Python's default
#: (700, 10, 10): parsing and cache loads create millions of objects and few reference cycles, and the
#: default collects ~20% of the run time away (50,000 still cost a warm rerun four collections, 23 ms).
#: Here, not in the reader, so that the entry point can set them without importing anything else.
GC_THRESHOLDS = (200_000, 20, 20)
