-- Base tables. The views in 020_views.sql are the public contract (../shared/CONTRACT.md);
-- these tables are ours to change. No PRIMARY KEY constraints: batches replace an article's rows
-- with DELETE + INSERT in one transaction, and uniqueness is checked by sql/tests instead.

CREATE TABLE IF NOT EXISTS articles (
    article_id        VARCHAR NOT NULL,
    source_id         VARCHAR NOT NULL,
    source_name       VARCHAR,
    url               VARCHAR,
    title             VARCHAR,
    author            VARCHAR,
    published_at      TIMESTAMP,
    language          VARCHAR,
    text              VARCHAR NOT NULL,
    body_start        INTEGER NOT NULL,
    body_end          INTEGER NOT NULL,
    content_sha256    VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    n_words           INTEGER,
    metadata          VARCHAR,  -- JSON: input fields without a column of their own
    ingested_at       TIMESTAMP NOT NULL,
    run_id            VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS sentences (
    article_id     VARCHAR NOT NULL,
    sentence_index INTEGER NOT NULL,
    char_start     INTEGER NOT NULL,
    char_end       INTEGER NOT NULL,
    text           VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS entity_mentions (
    article_id     VARCHAR NOT NULL,
    sentence_index INTEGER,
    char_start     INTEGER NOT NULL,
    char_end       INTEGER NOT NULL,
    mention_text   VARCHAR NOT NULL,
    label          VARCHAR NOT NULL,
    ner_label      VARCHAR NOT NULL,
    entity_id      VARCHAR NOT NULL,
    canonical_name VARCHAR NOT NULL,  -- the entity's name in this article
    entity_name    VARCHAR,           -- its name across articles (the alias list's, where listed)
    role           VARCHAR,           -- a title said with a person's name: "Col.", "Prime Minister"
    country_code   VARCHAR,           -- places: ISO 3166-1 alpha-2
    latitude       DOUBLE,
    longitude      DOUBLE,
    place_id       VARCHAR            -- places: "geonames:<id>" or "iso3166:<code>"
);

CREATE TABLE IF NOT EXISTS figures (
    figure_id            VARCHAR NOT NULL,
    article_id           VARCHAR NOT NULL,
    sentence_index       INTEGER NOT NULL,
    char_start           INTEGER NOT NULL,
    char_end             INTEGER NOT NULL,
    surface              VARCHAR NOT NULL,
    value_low            DOUBLE,
    value_high           DOUBLE,
    qualifier            VARCHAR NOT NULL,
    category             VARCHAR NOT NULL,
    counted              VARCHAR,
    actor                VARCHAR,
    location             VARCHAR,
    attributed_to        VARCHAR,
    actor_entity_id      VARCHAR,
    location_entity_id   VARCHAR,
    attributed_entity_id VARCHAR
);

-- Every name a document was given, and the article holding its content: the same text under two
-- names is stored once, and the second name is not lost.
CREATE TABLE IF NOT EXISTS article_sources (
    source_id      VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    content_sha256 VARCHAR NOT NULL,
    origin         VARCHAR,
    first_seen     TIMESTAMP NOT NULL,
    last_seen      TIMESTAMP NOT NULL,
    last_run_id    VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id            VARCHAR NOT NULL,
    flow_run_id       VARCHAR,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL,
    paths             VARCHAR[],
    n_files_seen      INTEGER,
    n_new             INTEGER,
    n_updated         INTEGER,
    n_unchanged       INTEGER,
    n_duplicate       INTEGER,
    n_rejected        INTEGER,
    rows_articles     INTEGER,
    rows_sentences    INTEGER,
    rows_mentions     INTEGER,
    rows_figures      INTEGER,
    extractor_version VARCHAR,
    error             VARCHAR
);

CREATE TABLE IF NOT EXISTS rejects (
    run_id      VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    detail      VARCHAR,
    rejected_at TIMESTAMP NOT NULL
);

-- Columns added after the first release: warehouses made earlier gain them on the next run.
ALTER TABLE articles ADD COLUMN IF NOT EXISTS metadata VARCHAR;
ALTER TABLE entity_mentions ADD COLUMN IF NOT EXISTS entity_name VARCHAR;
ALTER TABLE entity_mentions ADD COLUMN IF NOT EXISTS role VARCHAR;
ALTER TABLE entity_mentions ADD COLUMN IF NOT EXISTS country_code VARCHAR;
ALTER TABLE entity_mentions ADD COLUMN IF NOT EXISTS latitude DOUBLE;
ALTER TABLE entity_mentions ADD COLUMN IF NOT EXISTS longitude DOUBLE;
ALTER TABLE entity_mentions ADD COLUMN IF NOT EXISTS place_id VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS simhash UBIGINT;
-- A document's identity (schema 3): its file's full path, or that file and a JSON-lines record's id.
-- Two inputs never share one, whatever their source_id. articles.source_key: the input that owns it.
ALTER TABLE article_sources ADD COLUMN IF NOT EXISTS source_key VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS source_key VARCHAR;

-- What each figure is a claim about (schema 4): one incident or a running total, the date it refers to,
-- the group its counted belong to; is_part: a part of the figure before it ("including three children").
ALTER TABLE figures ADD COLUMN IF NOT EXISTS scope VARCHAR;
ALTER TABLE figures ADD COLUMN IF NOT EXISTS event_date DATE;
ALTER TABLE figures ADD COLUMN IF NOT EXISTS event_date_precision VARCHAR;
ALTER TABLE figures ADD COLUMN IF NOT EXISTS event_date_basis VARCHAR;
ALTER TABLE figures ADD COLUMN IF NOT EXISTS counted_group VARCHAR;
ALTER TABLE figures ADD COLUMN IF NOT EXISTS is_part BOOLEAN;
ALTER TABLE figures ADD COLUMN IF NOT EXISTS actor_is_agent BOOLEAN;  -- the actor did it (not the counted's group)

-- Per-figure effect of an extractor upgrade on unchanged text: what a new version added, removed
-- or changed (same span, other values). Written in the transaction that replaces the article's rows.
CREATE TABLE IF NOT EXISTS figure_changes (
    run_id        VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    from_version  VARCHAR NOT NULL,
    to_version    VARCHAR NOT NULL,
    change        VARCHAR NOT NULL,  -- added, removed, changed
    char_start    INTEGER NOT NULL,
    char_end      INTEGER NOT NULL,
    surface       VARCHAR NOT NULL,
    old_values    VARCHAR,           -- JSON of the old figure's values (removed, changed)
    new_values    VARCHAR,           -- JSON of the new figure's values (added, changed)
    changed_at    TIMESTAMP NOT NULL
);

-- The schema history of this warehouse file, one row per numbered migration applied (or the
-- version it was created at); its version is the largest (see flows/store/migrations.py).
CREATE TABLE IF NOT EXISTS newsetl_schema (
    version     INTEGER NOT NULL,
    migrated_at TIMESTAMP NOT NULL,
    step        VARCHAR
);
ALTER TABLE newsetl_schema ADD COLUMN IF NOT EXISTS step VARCHAR;

-- Near-duplicate clusters (the same story re-published), recomputed at the end of each run.
CREATE TABLE IF NOT EXISTS article_clusters (
    article_id     VARCHAR NOT NULL,
    dup_cluster_id VARCHAR NOT NULL
);

-- Incidents across claims, articles and sources (transforms/estimates.py), recomputed at the end of
-- each run that changed articles; v_estimates is their public face.
CREATE TABLE IF NOT EXISTS estimates (
    estimate_id     VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    counted_group   VARCHAR,
    place_entity_id VARCHAR,
    place           VARCHAR,
    latitude        DOUBLE,
    longitude       DOUBLE,
    date_from       DATE,
    date_to         DATE,
    low             DOUBLE,
    best            DOUBLE,
    high            DOUBLE,
    n_claims        INTEGER,
    n_sources       INTEGER,
    n_stories       INTEGER,
    sources         VARCHAR[],
    disagree        BOOLEAN,
    figure_ids      VARCHAR[],
    place_id        VARCHAR, -- the place's gazetteer id, where it has one
    tied            BOOLEAN  -- its claims have a place and a date the text gives (matchable across articles)
);
ALTER TABLE estimates ADD COLUMN IF NOT EXISTS place_id VARCHAR;
ALTER TABLE estimates ADD COLUMN IF NOT EXISTS tied BOOLEAN;
