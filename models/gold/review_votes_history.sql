{{config materialized="view" tags="gold,history"}}
-- How each review's helpfulness evolved: one row per version of its votes and rating (from
-- the review_history snapshot), with the helpful share at that time and what changed since
-- the version before.
select
  h.review_id,
  h.product_id,
  row_number() over w                                                  as version,
  h.rating,
  lag(h.rating) over w                                                 as previous_rating,
  h.helpful_votes,
  h.total_votes,
  (h.helpful_votes::numeric / nullif(h.total_votes, 0))::numeric(9,4)        as helpful_share,
  h.helpful_votes - coalesce(lag(h.helpful_votes) over w, 0)           as helpful_votes_gained,
  h.total_votes - coalesce(lag(h.total_votes) over w, 0)               as total_votes_gained,
  h.valid_from,
  h.valid_to,
  h.valid_to is null                                                   as is_current
from {{ref "review_history"}} h
window w as (partition by h.review_id order by h.valid_from)
