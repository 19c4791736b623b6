{{config materialized="incremental" unique_key="review_id" keys_from="bronze_review" tags="silver" indexes="unique:review_id"
          settings="work_mem=128MB, parallel_tuple_cost=0.01"}}
-- Every bronze review, cleaned, with its verdict: rejection_reason is NULL for a valid
-- review, else why it is rejected. silver_reviews and rejected_reviews are the two halves,
-- so count(bronze_review) = count(silver_reviews) + count(rejected_reviews) by construction.
--
-- Checks, first failing one wins:
--   invalid_rating  rating outside 1..5
--   invalid_votes   negative votes, or more helpful votes than votes
--   duplicate       same buyer, same product, same normalised title and body as an earlier
--                   valid review (a double submit): the earliest is kept, duplicate_of names it
--
-- Incremental: a verdict depends on the review and the other reviews of its (buyer, product)
-- pair, so a batch recomputes every review of each pair that has a new, changed (another
-- updated_at) or vanished review; rows of reviews that left bronze go (keys_from).
with
{{#if (is_incremental)}}
pairs as (
  select b.buyer_id, b.product_id
  from {{ref "bronze_review"}} b
  left join {{this}} t on t.review_id = b.review_id
  where t.updated_at is distinct from b.updated_at
  union
  select t.buyer_id, t.product_id
  from {{this}} t
  left join {{ref "bronze_review"}} b on b.review_id = t.review_id
  where b.updated_at is distinct from t.updated_at
),
bronze as (
  select b.* from {{ref "bronze_review"}} b join pairs p on p.buyer_id = b.buyer_id and p.product_id = b.product_id
),
{{else}}
bronze as not materialized (select * from {{ref "bronze_review"}}),
{{/if}}
reviews as (
  -- Cleaning is two regex match tests per row and the most work of this model: "offset 0"
  -- keeps this a subquery of its own, so its plan is a parallel scan of bronze that cleans
  -- in the workers, gathered before the join to the duplicates (which stays in the leader).
  select
    r.review_id,
    r.product_id,
    r.buyer_id,
    r.rating,
    {{> clean_text value="r.title"}}       as title,
    {{> clean_paragraphs value="r.body"}}  as body,
    r.verified_purchase,
    r.helpful_votes,
    r.total_votes,
    r.created_at,
    r.updated_at,
    r.rating between 1 and 5                                        as valid_rating,
    r.helpful_votes >= 0 and r.total_votes >= r.helpful_votes       as valid_votes
  from bronze r
  offset 0
),
-- Only a buyer who reviewed the same product more than once can have a duplicate: finding
-- those reviews first on narrow columns keeps the text comparison to a small share of rows.
repeat_reviews as (
  select x.review_id
  from (
    select b.review_id, count(*) over (partition by b.buyer_id, b.product_id) as reviews_of_pair
    from bronze b
    where b.rating between 1 and 5 and b.helpful_votes >= 0 and b.total_votes >= b.helpful_votes
  ) x
  where x.reviews_of_pair > 1
),
firsts as (
  select
    d.review_id,
    first_value(d.review_id) over (
      partition by d.buyer_id, d.product_id, d.text_key
      order by d.created_at, d.review_id
    ) as original_id
  from (
    select
      b.review_id, b.buyer_id, b.product_id, b.created_at,
      lower(coalesce({{> clean_text value="b.title"}}, '')) || chr(31) || lower(coalesce({{> clean_paragraphs value="b.body"}}, '')) as text_key
    from bronze b
    join repeat_reviews rr on rr.review_id = b.review_id
  ) d
)
select
  r.review_id,
  r.product_id,
  r.buyer_id,
  r.rating,
  r.title,
  r.body,
  r.body is null                                   as is_blank_text,
  r.verified_purchase,
  r.helpful_votes,
  r.total_votes,
  r.created_at,
  r.updated_at,
  case
    when not r.valid_rating then 'invalid_rating'
    when not r.valid_votes then 'invalid_votes'
    when f.original_id is not null then 'duplicate'
  end                                              as rejection_reason,
  f.original_id                                    as duplicate_of,
  case
    when not r.valid_rating then format('rating %s is outside 1..5', r.rating)
    when not r.valid_votes then format('%s helpful of %s votes', r.helpful_votes, r.total_votes)
    when f.original_id is not null then format('same buyer, product and text as review %s', f.original_id)
  end                                              as rejection_detail
from reviews r
left join firsts f on f.review_id = r.review_id and f.original_id <> r.review_id
