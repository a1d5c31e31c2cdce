"""Pure parsing code: text or frames in, frames or frozen dataclasses out.

Nothing in this package touches files, DuckDB or Prefect.
"""

# Bump when a change to any extractor changes derived rows; stored with every article so that
# rows made by an older version can be found and re-derived.
EXTRACTOR_VERSION = "0.2.0"
