-- A rating to sort by: the average shrunk towards the overall mean by a prior (a Bayesian
-- average), so one 5-star vote does not put a film above thousands of 4.5s.
alter table titles add column rating_score double precision;
drop index titles_rating_idx;
create index titles_rating_idx on titles ((coalesce(rating_score, rating_average, -1)) desc, id desc) where status = 'published';
