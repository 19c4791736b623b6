{{config materialized="table" tags="gold,scoring" indexes="unique:review_id, product_id+rank_in_product, product_id+review_side+rank_in_side"}}
-- Each review's helpfulness score and where it stands among its product's reviews. Rebuilt
-- from fact_reviews in every batch, because two parts depend on the product's other reviews:
--
--   agreement_component  1 - |stars - the product's mean rating without this review| / 4, the
--                        mean shrunk towards the catalogue's mean by bayes_prior_weight
--                        virtual reviews (readers vote for reviews that match the consensus:
--                        Spearman 0.53 with the helpful share on real reviews);
--   consensus_component  the share of the product's other reviews that gave the same stars,
--                        shrunk towards the catalogue's share of those stars by
--                        consensus_prior_weight virtual reviews: a review that tells the
--                        experience most of its product's buyers had, critical or not (a
--                        product rated half 5 and half 1 stars has a mean of 3 that agrees
--                        with nobody; its 1-star reviews still have half the buyers behind them);
--   the rank             1 = most helpful; ties go to more helpful votes, then the older
--                        review, then the lower id, so ranks are deterministic;
--   rank_recent          1 = the product's newest review (ties: the higher id), the API's
--                        "recent" order.
--
-- content_score is the score without the votes (0..100): what ranks a review nobody voted on
-- yet. helpfulness_score is the weighted mean of all eight components (weights
-- score_weight_*, fitted by bench/fit-score.ts), times 100. review_side puts a review among
-- the positive (4-5 stars) or critical (1-3 stars) ones, as Amazon's product pages do, and
-- rank_in_side ranks it there.
-- Each product's count per star rating, from one scan of the fact: the product totals, the
-- catalogue's mean and its share of each star are all summed from these rows (≈ 106k at 1M)
-- instead of scanning the fact again for each.
with product_stars as materialized (
  select f.product_id, f.rating, count(*) as reviews
  from {{ref "fact_reviews"}} f
  group by f.product_id, f.rating
),
products as (
  select s.product_id, sum(s.reviews)::bigint as reviews, sum(s.rating * s.reviews)::bigint as rating_sum
  from product_stars s
  group by s.product_id
),
-- Materialized: computed once (inlined, the planner may recompute a whole-table aggregate for
-- every review on the inner side of a nested loop). The same numeric division as avg(rating).
prior as materialized (
  select coalesce(sum(s.rating * s.reviews)::numeric / nullif(sum(s.reviews), 0)::numeric, 3)::float8 as global_mean
  from product_stars s
),
catalogue_stars as (
  select s.rating, sum(s.reviews)::float8 / sum(sum(s.reviews)) over () as share
  from product_stars s
  group by s.rating
),
components as (
  select
    f.review_id,
    f.product_id,
    f.rating,
    f.helpful_votes,
    f.created_at,
    f.votes_component,
    f.substance_component,
    f.verified_component,
    f.images_component,
    f.recency_component,
    f.sentiment_component,
    coalesce(1 - abs(f.rating - ({{var "bayes_prior_weight"}} * g.global_mean + p.rating_sum - f.rating)
                                / nullif({{var "bayes_prior_weight"}} + p.reviews - 1, 0)) / 4.0, 1) as agreement_component,
    coalesce((ps.reviews - 1 + {{var "consensus_prior_weight"}} * cs.share)
             / nullif(p.reviews - 1 + {{var "consensus_prior_weight"}}, 0), cs.share)  as consensus_component,
    p.reviews as product_review_count
  from {{ref "fact_reviews"}} f
  join products p on p.product_id = f.product_id
  join product_stars ps on ps.product_id = f.product_id and ps.rating = f.rating
  join catalogue_stars cs on cs.rating = f.rating
  cross join prior g
),
scored as (
  select
    c.*,
    ({{var "score_weight_substance"}} * c.substance_component
     + {{var "score_weight_verified"}} * c.verified_component
     + {{var "score_weight_images"}} * c.images_component
     + {{var "score_weight_recency"}} * c.recency_component
     + {{var "score_weight_sentiment_consistency"}} * c.sentiment_component
     + {{var "score_weight_agreement"}} * c.agreement_component
     + {{var "score_weight_consensus"}} * c.consensus_component)::float8 as content_sum
  from components c
),
ranked as (
  -- One sort serves both ranks: the rank within the side is the running count of the
  -- side's reviews in the product's order.
  select
    s.*,
    row_number() over w                                            as rank_in_product,
    count(*) filter (where s.rating >= 4) over w                   as positive_so_far,
    count(*) filter (where s.rating < 4) over w                    as critical_so_far,
    -- The API's "recent" order (review_detail), sorted here where the rows are narrow: in
    -- review_detail the sort carried every review's text (360 MB spilled at 1M reviews).
    row_number() over (partition by s.product_id collate "C" order by s.created_at desc, s.review_id desc) as rank_recent
  from scored s
  -- Partitions only group equal ids, and ids equal in one deterministic collation (a database's
  -- default always is) are equal in all: "C" compares bytes instead of calling the locale's
  -- strcoll (at 1M reviews each of these two sorts took ≈ 1.2 s less of the server's CPU,
  -- 3.7 → 2.6 s; the same ranks).
  window w as (partition by s.product_id collate "C"
               order by {{var "score_weight_votes"}} * s.votes_component + s.content_sum desc,
                        s.helpful_votes desc, s.created_at, s.review_id
               rows between unbounded preceding and current row)
)
select
  s.review_id,
  s.product_id,
  s.rating,
  s.agreement_component::numeric(9,4)                              as agreement_component,
  s.consensus_component::numeric(9,4)                              as consensus_component,
  (100.0 * s.content_sum / nullif(
      {{var "score_weight_substance"}} + {{var "score_weight_verified"}} + {{var "score_weight_images"}}
    + {{var "score_weight_recency"}} + {{var "score_weight_sentiment_consistency"}} + {{var "score_weight_agreement"}}
    + {{var "score_weight_consensus"}}, 0))::numeric(9,2) as content_score,
  (100.0 * ({{var "score_weight_votes"}} * s.votes_component + s.content_sum) / nullif(
      {{var "score_weight_votes"}} + {{var "score_weight_substance"}} + {{var "score_weight_verified"}} + {{var "score_weight_images"}}
    + {{var "score_weight_recency"}} + {{var "score_weight_sentiment_consistency"}} + {{var "score_weight_agreement"}}
    + {{var "score_weight_consensus"}}, 0))::numeric(9,2) as helpfulness_score,
  s.rank_in_product,
  s.product_review_count,
  case when s.rating >= 4 then 'positive' else 'critical' end           as review_side,
  case when s.rating >= 4 then s.positive_so_far else s.critical_so_far end as rank_in_side,
  s.rank_recent
from ranked s
