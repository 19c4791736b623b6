{{!--
  Inside {{#if (is_incremental)}} of a gold model read per product: the products whose reviews
  changed since the fact_reviews its published table was built from — a review new, gone, moved
  to another product or recomputed (a recomputed fact row carries the batch that computed it in
  _batch_id) — and every product when the catalogue's star counts changed (they set the prior
  that the scores and the Bayesian averages shrink towards). One column, product_id.
  Usage: changed_products as ({{> changed_products}})
--}}
select p.product_id
from {{ref "fact_reviews"}} f
full join {{previous_ref "fact_reviews"}} b on b.review_id = f.review_id
cross join lateral (values (f.product_id), (b.product_id)) as p (product_id)
where (f.review_id is null or b.review_id is null or f._batch_id <> b._batch_id) and p.product_id is not null
union
select f.product_id from {{ref "fact_reviews"}} f
where exists (
  select from (select x.rating, count(*) as n from {{ref "fact_reviews"}} x group by x.rating) a
  full join (select y.rating, count(*) as n from {{previous_ref "fact_reviews"}} y group by y.rating) b on b.rating = a.rating
  where a.n is distinct from b.n
)
