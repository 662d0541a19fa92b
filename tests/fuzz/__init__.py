"""The property-based fuzzer of tests/test_fuzz.py: random OpenAPI documents, each schema built together with a
strategy for the instances it allows (strategies.py), and the checks every generated package must pass
(checks.py)."""
