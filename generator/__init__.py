"""sdkforge: OpenAPI 3.0/3.1 to a typed Python SDK (httpx + Pydantic v2).

The pipeline runs one way: load -> lower (IR) -> render -> format -> write.
"""

__version__ = "0.1.0"
