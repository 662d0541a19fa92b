"""`make bench`: speed and memory measurements. Never collected by pytest (no timed tests)."""
