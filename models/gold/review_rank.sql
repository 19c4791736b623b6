{{config materialized="table" tags="gold,scoring" indexes="unique:review_id, product_id+rank_in_product"}}
-- Where each review stands among its product's reviews: rank_in_product 1 = most helpful.
-- Kept out of the incremental fact_reviews because a rank depends on the product's other
-- reviews; rebuilt from the fact in every batch (one sort). Ties on the score go to more
-- helpful votes, then the older review, then the lower id, so ranks are deterministic.
select
  f.review_id,
  f.product_id,
  f.helpfulness_score,
  row_number() over w                          as rank_in_product,
  count(*) over (partition by f.product_id)    as product_review_count
from {{ref "fact_reviews"}} f
window w as (partition by f.product_id
             order by f.helpfulness_score desc, f.helpful_votes desc, f.created_at, f.review_id)
