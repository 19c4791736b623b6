{{config materialized="table" tags="silver"}}
-- Images that cannot be linked to a valid review: their review was rejected (invalid
-- rating or votes, or a duplicate) or does not exist. Reported, not silently dropped:
-- count(bronze_review_image) = count(silver_review_images) + count(orphan_review_images).
select
  i.image_id,
  i.review_id,
  btrim(i.url) as url,
  i.width,
  i.height,
  i.created_at,
  case when r.review_id is null then 'review_missing' else 'review_rejected' end as orphan_reason,
  r.rejection_reason as review_rejection_reason,
  r.duplicate_of     as review_duplicate_of
from {{ref "bronze_review_image"}} i
left join {{ref "review_checks"}} r on r.review_id = i.review_id
where r.review_id is null or r.rejection_reason is not null
