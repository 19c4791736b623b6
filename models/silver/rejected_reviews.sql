{{config materialized="table" tags="silver"}}
-- Reviews that failed validation, with the reason, so nothing disappears silently:
-- count(bronze_review) = count(silver_reviews) + count(rejected_reviews).
select
  c.review_id,
  c.product_id,
  c.buyer_id,
  c.rating,
  c.title,
  c.body,
  c.helpful_votes,
  c.total_votes,
  c.created_at,
  c.updated_at,
  c.rejection_reason,
  c.duplicate_of,
  c.rejection_detail
from {{ref "review_checks"}} c
where c.rejection_reason is not null
