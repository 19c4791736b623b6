{{config materialized="table" tags="gold" indexes="unique:buyer_id"}}
-- One row per buyer (also those without a valid review): how many valid reviews they
-- wrote and how helpful those are on average.
with stats as (
  select
    f.buyer_id,
    count(*)                                                  as review_count,
    avg(k.helpfulness_score)                                  as avg_helpfulness_score,
    max(k.helpfulness_score)                                  as max_helpfulness_score,
    avg(f.rating)                                             as avg_rating,
    avg(case when f.verified_purchase then 1.0 else 0.0 end)  as verified_share,
    sum(f.helpful_votes)                                      as helpful_votes,
    min(f.created_at)                                         as first_review_at,
    max(f.created_at)                                         as last_review_at
  from {{ref "fact_reviews"}} f
  join {{ref "review_rank"}} k on k.review_id = f.review_id
  group by f.buyer_id
)
select
  b.buyer_id,
  b.name,
  b.country,
  b.created_at,
  coalesce(s.review_count, 0)::integer       as review_count,
  s.avg_helpfulness_score::numeric(9,2)      as avg_helpfulness_score,
  s.max_helpfulness_score::numeric(9,2)      as max_helpfulness_score,
  s.avg_rating::numeric(9,2)                 as avg_rating,
  s.verified_share::numeric(9,4)             as verified_share,
  coalesce(s.helpful_votes, 0)::bigint       as helpful_votes,
  s.first_review_at,
  s.last_review_at
from {{ref "silver_buyers"}} b
left join stats s on s.buyer_id = b.buyer_id
