-- A product's top reviews are its own reviews; overall and within each side (positive /
-- critical) they are ranked 1..n without gaps in descending score order, n at most
-- top_n_reviews, and every review that belongs in one of the lists is there.
select 'review of another product' as problem, t.product_id, t.review_id, t.rank_in_product
from {{ref "product_top_reviews"}} t
join {{ref "fact_reviews"}} f on f.review_id = t.review_id
where f.product_id <> t.product_id
union all
select 'in neither top list', t.product_id, t.review_id, t.rank_in_product
from {{ref "product_top_reviews"}} t
where t.rank_in_product > {{var "top_n_reviews"}} and t.rank_in_side > {{var "top_n_reviews"}}
union all
select 'side does not match the stars', t.product_id, t.review_id, t.rank_in_product
from {{ref "product_top_reviews"}} t
where t.review_side <> case when t.rating >= 4 then 'positive' else 'critical' end
union all
select 'missing from the top lists', k.product_id, k.review_id, k.rank_in_product
from {{ref "review_rank"}} k
left join {{ref "product_top_reviews"}} t on t.review_id = k.review_id
where (k.rank_in_product <= {{var "top_n_reviews"}} or k.rank_in_side <= {{var "top_n_reviews"}}) and t.review_id is null
union all
select 'ranks not 1..n or not by descending score', product_id, null, null
from (
  select l.product_id, l.list, max(l.rank) as max_rank, count(*) as n,
         bool_and(l.score <= coalesce(l.previous_score, l.score)) as ordered
  from (
    select t.product_id, 'overall' as list, t.rank_in_product as rank, t.helpfulness_score as score,
           lag(t.helpfulness_score) over (partition by t.product_id order by t.rank_in_product) as previous_score
    from {{ref "product_top_reviews"}} t
    where t.in_top_overall
    union all
    select t.product_id, t.review_side, t.rank_in_side, t.helpfulness_score,
           lag(t.helpfulness_score) over (partition by t.product_id, t.review_side order by t.rank_in_side)
    from {{ref "product_top_reviews"}} t
    where t.rank_in_side <= {{var "top_n_reviews"}}
  ) l
  group by l.product_id, l.list
) g
where max_rank <> n or not ordered
