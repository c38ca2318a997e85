-- Search indexes that answer at once, however the catalog was filled.
--
-- A GIN index with fastupdate (the default) queues new entries in an unsorted "pending list"
-- until vacuum merges them, and every search reads that whole list. After a bulk import (or
-- the bench's 50,000 titles) the list held ~16,000 entries: each typo search spent ~20 ms
-- scanning it, and the planner, pricing those pages, chose a sequential scan of all titles
-- instead (300 ms on PostgreSQL, over a second on PGlite). The catalog is read far more than
-- written, so entries go straight into the index; what is already queued is merged now.
-- https://www.postgresql.org/docs/current/gin.html#GIN-FAST-UPDATE
alter index titles_search_idx set (fastupdate = off);
alter index titles_title_trgm_idx set (fastupdate = off);
alter index people_name_trgm_idx set (fastupdate = off);
select gin_clean_pending_list('titles_search_idx'::regclass);
select gin_clean_pending_list('titles_title_trgm_idx'::regclass);
select gin_clean_pending_list('people_name_trgm_idx'::regclass);
