"""Pure parsing code: text or frames in, frames or frozen dataclasses out.

Nothing in this package touches DuckDB, Prefect or the user's files. The only files it reads are
installed reference data, each through one cached `load_*` function: the spaCy model
(`nlp.load_pipeline`), the alias list (`aliases.load_aliases`), the gazetteer
(`gazetteer.load_gazetteer`) and the language detector's model (`articles.load_language_identifier`).
"""

# Bump when a change to any extractor changes derived rows; stored with every article so that
# rows made by an older version can be found and re-derived.
# 0.3.0: entities typed, resolved and placed (issue 4)
# 0.4.0: `language` detected (py3langid); articles not in English stored without sentences, entities
#        or figures (issue 14)
# 0.5.0: figure roles read from the dependency parse of figure sentences; magnitudes (fractions of
#        scale words, space-grouped thousands, calibres, model numbers); event words as data; place
#        spellings folded, peoples' names never places (issue 15)
EXTRACTOR_VERSION = "0.6.1"
