{{config materialized="view" tags="silver"}}
-- The valid reviews: rating 1..5, sane votes, no double submits. Text is trimmed and
-- whitespace-normalised (bodies keep their paragraphs); blank bodies are kept and flagged.
-- A view over review_checks, which holds the cleaned rows once.
select
  c.review_id,
  c.product_id,
  c.buyer_id,
  c.rating,
  c.title,
  c.body,
  c.is_blank_text,
  c.verified_purchase,
  c.helpful_votes,
  c.total_votes,
  c.created_at,
  c.updated_at
from {{ref "review_checks"}} c
where c.rejection_reason is null
