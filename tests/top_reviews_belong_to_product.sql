-- A product's top reviews are its own reviews, at most top_n_reviews of them, ranked
-- 1..n without gaps in descending score order.
select 'review of another product' as problem, t.product_id, t.review_id, t.rank_in_product
from {{ref "product_top_reviews"}} t
join {{ref "fact_reviews"}} f on f.review_id = t.review_id
where f.product_id <> t.product_id
union all
select 'rank beyond top_n_reviews', t.product_id, t.review_id, t.rank_in_product
from {{ref "product_top_reviews"}} t
where t.rank_in_product > {{var "top_n_reviews"}}
union all
select 'ranks not 1..n or not by descending score', product_id, null, null
from (
  select t.product_id,
         max(t.rank_in_product) as max_rank,
         count(*) as n,
         bool_and(t.helpfulness_score <= coalesce(p.helpfulness_score, t.helpfulness_score)) as ordered
  from {{ref "product_top_reviews"}} t
  left join {{ref "product_top_reviews"}} p on p.product_id = t.product_id and p.rank_in_product = t.rank_in_product - 1
  group by t.product_id
) g
where max_rank <> n or not ordered
