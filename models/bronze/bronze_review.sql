{{config materialized="table" tags="bronze"}}
-- A typed, faithful copy of amazon.review, dirty rows included: out-of-range ratings,
-- blank bodies and double submits are silver's to catch and explain.
select
  r.review_id::bigint           as review_id,
  r.product_id::text            as product_id,
  r.buyer_id::bigint            as buyer_id,
  r.rating::smallint            as rating,
  r.title::text                 as title,
  r.body::text                  as body,
  r.verified_purchase::boolean  as verified_purchase,
  r.helpful_votes::integer      as helpful_votes,
  r.total_votes::integer        as total_votes,
  r.created_at::timestamptz     as created_at,
  r.updated_at::timestamptz     as updated_at,
  {{batch_id}}::text            as _batch_id,
  now()                         as _loaded_at
from {{source "amazon" "review"}} r
