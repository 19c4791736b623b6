{{config materialized="snapshot" unique_key="review_id" strategy="check" check_cols="helpful_votes,total_votes,rating" tags="silver,history"}}
-- Each review's votes and rating, kept as a history (slowly changing dimension type 2): a
-- batch appends a version only for the reviews whose helpful/total votes or rating changed
-- since the published batch, and ends the version of a review that disappeared. Published as
-- a view with valid_from / valid_to (null: the current version); the history itself lives in
-- strata_snapshots.review_history and is never copied into a batch.
select
  r.review_id,
  r.product_id,
  r.rating,
  r.helpful_votes,
  r.total_votes,
  r.updated_at
from {{ref "silver_reviews"}} r
