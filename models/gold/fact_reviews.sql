{{config materialized="incremental" unique_key="review_id" keys_from="silver_reviews" tags="gold,scoring" indexes="unique:review_id, product_id"
          settings="work_mem=128MB"}}
-- One row per valid review: its features and the six score components that depend on the
-- review alone (each 0..1). docs/scoring.md explains the formula and how to tune it.
--
-- Incremental: a re-run merges only the reviews that are new here (new, or valid again), changed
-- (another updated_at) or whose image count changed — every feature depends on the review's
-- row, its images, the lexicons and the vars, and a changed lexicon or var rebuilds in full — and
-- keys_from="silver_reviews" deletes the rows of reviews silver no longer holds (deleted at
-- the source, or rejected now), so the fact never keeps a review the full query would drop.
-- Every component here depends on the review's own row and the vars only (recency is
-- measured against the fixed reference_date), so untouched rows stay valid; when a scoring
-- var (or this SQL) changes, strata sees the model changed and rebuilds it in full. What
-- depends on the product's other reviews — the agreement with the product's mean rating, and
-- so the helpfulness score and the rank — lives in review_rank, rebuilt from this fact in
-- every batch.
with reviews as (
  select
    r.review_id,
    r.product_id,
    r.buyer_id,
    r.rating,
    r.is_blank_text,
    r.verified_purchase,
    r.helpful_votes,
    r.total_votes,
    r.created_at,
    r.updated_at,
    f.title_word_count,
    f.body_word_count,
    f.body_char_count,
    f.sentence_count,
    f.paragraph_count,
    f.image_count,
    f.originality,
    f.afinn_word_count,
    f.afinn_score,
    f.afinn_sentiment,
    f.learned_sentiment,
    f.sentiment_score,
    f.sentiment_label,
    f.sentiment_consistent,
    greatest(0, extract(epoch from ({{var "reference_date"}}::timestamptz - r.created_at)) / 86400.0)::float8 as age_days
  from {{ref "silver_reviews"}} r
  join {{ref "review_features"}} f on f.review_id = r.review_id
  {{#if (is_incremental)}}
  where not exists (select from {{this}} t where t.review_id = r.review_id and t.updated_at = r.updated_at and t.image_count = f.image_count)
  {{/if}}
),
components as (
  select
    r.*,
    {{> votes_posterior_mean pos="r.helpful_votes" n="r.total_votes" mean=(var "votes_prior_mean") strength=(var "votes_prior_strength")}} as votes_component,
    -- length with diminishing returns, blended with structure (sentences and paragraphs),
    -- counted only as far as the text is original (no word repeated to fill it, no shouting, no links)
    r.originality * (
      (1 - {{var "substance_structure_share"}}) * (1 - exp(-r.body_word_count / {{var "substance_words_scale"}}::float8))
      + {{var "substance_structure_share"}} * (
          0.5 * least(1.0, r.sentence_count / {{var "substance_target_sentences"}}::float8)
        + 0.5 * least(1.0, greatest(0, r.paragraph_count - 1) / greatest(1, {{var "substance_target_paragraphs"}} - 1)::float8)
      ))::float8                                                                          as substance_component,
    case when r.verified_purchase then 1.0 else 0.0 end::float8                           as verified_component,
    least(r.image_count, {{var "images_cap"}})::float8 / greatest(1, {{var "images_cap"}}) as images_component,
    power(0.5, r.age_days / {{var "recency_half_life_days"}}::float8)                     as recency_component,
    case when r.sentiment_consistent then 1.0 else 0.0 end::float8                        as sentiment_component
  from reviews r
)
select
  c.review_id,
  c.product_id,
  c.buyer_id,
  c.rating,
  c.is_blank_text,
  c.verified_purchase,
  c.helpful_votes,
  c.total_votes,
  c.created_at,
  c.updated_at,
  c.title_word_count,
  c.body_word_count,
  c.body_char_count,
  c.sentence_count,
  c.paragraph_count,
  c.image_count,
  c.originality::numeric(9,4)                as originality,
  c.afinn_word_count,
  c.afinn_score::numeric(12,3)               as afinn_score,
  c.afinn_sentiment::numeric(9,4)            as afinn_sentiment,
  c.learned_sentiment::numeric(9,4)          as learned_sentiment,
  c.sentiment_score::numeric(9,4)            as sentiment_score,
  c.sentiment_label,
  c.sentiment_consistent,
  c.age_days::numeric(9,1)                   as age_days,
  c.votes_component::numeric(9,4)            as votes_component,
  c.substance_component::numeric(9,4)        as substance_component,
  c.verified_component::numeric(9,4)         as verified_component,
  c.images_component::numeric(9,4)           as images_component,
  c.recency_component::numeric(9,4)          as recency_component,
  c.sentiment_component::numeric(9,4)        as sentiment_component,
  {{batch_id}}::text                         as _batch_id
from components c
