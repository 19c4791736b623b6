{{config materialized="table" tags="silver" indexes="review_id"}}
-- Images of valid reviews, linked to their review (and its product). Images whose review
-- was rejected or is missing are in orphan_review_images instead, never dropped silently.
select
  i.image_id,
  i.review_id,
  r.product_id,
  btrim(i.url) as url,
  i.width,
  i.height,
  i.created_at
from {{ref "bronze_review_image"}} i
join {{ref "review_checks"}} r on r.review_id = i.review_id and r.rejection_reason is null
