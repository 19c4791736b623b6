{{config materialized="incremental" unique_key="buyer_id" keys_from="silver_buyers" tags="gold" indexes="unique:buyer_id"}}
-- One row per buyer (also those without a valid review): how many valid reviews they
-- wrote and how helpful those are on average.
--
-- Incremental per buyer: a row depends on the buyer's silver row and their reviews' fact rows
-- and helpfulness scores. A batch recomputes the buyers with a review new, gone, moved or
-- recomputed in fact_reviews (a recomputed row carries its batch in _batch_id), with a review
-- whose score changed in review_rank, or whose silver row changed; it keeps the rest.
with
{{#if (is_incremental)}}
changed as (
  select p.buyer_id
  from {{ref "fact_reviews"}} f
  full join {{previous_ref "fact_reviews"}} o on o.review_id = f.review_id
  cross join lateral (values (f.buyer_id), (o.buyer_id)) as p (buyer_id)
  where (f.review_id is null or o.review_id is null or f._batch_id <> o._batch_id) and p.buyer_id is not null
  union
  select f.buyer_id
  from {{ref "review_rank"}} k
  join {{previous_ref "review_rank"}} o on o.review_id = k.review_id
  join {{ref "fact_reviews"}} f on f.review_id = k.review_id
  where k.helpfulness_score is distinct from o.helpfulness_score
  union
  {{> changed_buyers}}
),
{{/if}}
stats as (
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
  {{#if (is_incremental)}}
  where f.buyer_id in (select c.buyer_id from changed c)
  {{/if}}
  group by f.buyer_id
)
select
  b.buyer_id,
  b.name,
  b.country,
  b.created_at,
  coalesce(s.review_count, 0)::integer       as review_count,
  round(s.avg_helpfulness_score, 2)          as avg_helpfulness_score,
  s.max_helpfulness_score,
  round(s.avg_rating, 2)                     as avg_rating,
  round(s.verified_share, 4)                 as verified_share,
  coalesce(s.helpful_votes, 0)::bigint       as helpful_votes,
  s.first_review_at,
  s.last_review_at
from {{ref "silver_buyers"}} b
left join stats s on s.buyer_id = b.buyer_id
{{#if (is_incremental)}}
where b.buyer_id in (select c.buyer_id from changed c)
{{/if}}
