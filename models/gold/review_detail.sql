{{config materialized="table" tags="gold,api" indexes="unique:review_id, product_id+rank_in_product, product_id+review_side+rank_in_side, product_id+rank_recent"}}
-- One row per valid review with everything the shop's product page shows about it, for the
-- `serve` API (which reads gold only): its text and reviewer, its helpfulness score, each
-- component of the score with the points it adds (weight share x component x 100, so the
-- points add up to the score, to rounding), and its position in each order the page offers.
-- The indexes serve the API's keyset pages: one product's reviews by rank, by side, by date.
-- Every position comes from review_rank, whose rows are narrow: here, the sort for
-- rank_recent carried each review's text (at 1M reviews, this model's select 6.4-7.0 s with
-- it against 4.2-4.5 s without; review_rank +0.8 s).
-- The weights are numeric, as the components are: as float8 they made every point a
-- numeric -> float8 -> numeric round trip through text, 16 conversions per review (≈ 2 of the
-- model's 11 s at 1M; the same rows).
with weights as (
  select
    {{var "score_weight_votes"}}::numeric as votes,
    {{var "score_weight_substance"}}::numeric as substance,
    {{var "score_weight_verified"}}::numeric as verified,
    {{var "score_weight_images"}}::numeric as images,
    {{var "score_weight_recency"}}::numeric as recency,
    {{var "score_weight_sentiment_consistency"}}::numeric as sentiment,
    {{var "score_weight_agreement"}}::numeric as agreement,
    {{var "score_weight_consensus"}}::numeric as consensus
),
total as (
  select nullif(w.votes + w.substance + w.verified + w.images + w.recency + w.sentiment + w.agreement + w.consensus, 0) as sum, w.*
  from weights w
)
select
  k.review_id,
  k.product_id,
  f.rating,
  r.title,
  r.body,
  b.name                                                                   as reviewer_name,
  f.verified_purchase,
  f.helpful_votes,
  f.total_votes,
  f.image_count,
  f.created_at                                                             as reviewed_at,
  k.helpfulness_score,
  k.content_score,
  k.review_side,
  k.rank_in_product,
  k.rank_in_side,
  k.rank_recent,
  f.votes_component,
  f.substance_component,
  f.verified_component,
  f.images_component,
  f.recency_component,
  f.sentiment_component,
  k.agreement_component,
  k.consensus_component,
  (100 * w.votes * f.votes_component / w.sum)::numeric(9,2)           as votes_points,
  (100 * w.substance * f.substance_component / w.sum)::numeric(9,2)   as substance_points,
  (100 * w.verified * f.verified_component / w.sum)::numeric(9,2)     as verified_points,
  (100 * w.images * f.images_component / w.sum)::numeric(9,2)         as images_points,
  (100 * w.recency * f.recency_component / w.sum)::numeric(9,2)       as recency_points,
  (100 * w.sentiment * f.sentiment_component / w.sum)::numeric(9,2)   as sentiment_points,
  (100 * w.agreement * k.agreement_component / w.sum)::numeric(9,2)   as agreement_points,
  (100 * w.consensus * k.consensus_component / w.sum)::numeric(9,2)   as consensus_points
from {{ref "review_rank"}} k
join {{ref "fact_reviews"}} f on f.review_id = k.review_id
join {{ref "silver_reviews"}} r on r.review_id = k.review_id
left join {{ref "silver_buyers"}} b on b.buyer_id = f.buyer_id
cross join total w
