-- Every linked review image belongs to an existing valid review, every bronze image is
-- either linked or reported as an orphan, and the reviews that have images are exactly
-- the fact rows with image_count > 0 (same count, same ids).
with linked as (
  select count(distinct review_id) as reviews_with_images, count(*) as images from {{ref "silver_review_images"}}
),
fact as (
  select count(*) as reviews_with_images, coalesce(sum(image_count), 0) as images
  from {{ref "fact_reviews"}} where image_count > 0
),
counts as (
  select
    (select count(*) from {{ref "bronze_review_image"}})  as bronze_images,
    (select count(*) from {{ref "orphan_review_images"}}) as orphan_images
)
select 'image of a missing or invalid review' as problem, i.image_id::text as detail
from {{ref "silver_review_images"}} i
left join {{ref "silver_reviews"}} r on r.review_id = i.review_id
where r.review_id is null
union all
select 'images lost between bronze and silver',
       format('bronze %s <> linked %s + orphans %s', c.bronze_images, l.images, c.orphan_images)
from counts c cross join linked l
where c.bronze_images <> l.images + c.orphan_images
union all
select 'reviews with images differ between silver and gold',
       format('silver: %s reviews / %s images, fact_reviews: %s reviews / %s images',
              l.reviews_with_images, l.images, f.reviews_with_images, f.images)
from linked l cross join fact f
where l.reviews_with_images <> f.reviews_with_images or l.images <> f.images
union all
(select 'image_count differs from the linked images', f.review_id::text
 from {{ref "fact_reviews"}} f
 full join (select review_id, count(*) as n from {{ref "silver_review_images"}} group by review_id) i
   on i.review_id = f.review_id
 where coalesce(f.image_count, -1) <> coalesce(i.n, 0)
 limit 100)
