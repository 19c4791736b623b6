-- The transactional Amazon Reviews schema, as the shop's application writes it.
-- Ratings are not CHECK-constrained on purpose: the source is known to hold dirty rows
-- (out-of-range ratings, blank text, duplicates) that silver must catch and explain.
create schema if not exists amazon;

create table amazon.buyer (
  buyer_id    bigint primary key,
  name        text not null,
  email       text,
  country     text,
  created_at  timestamptz not null
);

create table amazon.product (
  product_id  text primary key,
  title       text not null,
  brand       text,
  category    text not null,
  price       numeric(10, 2),
  created_at  timestamptz not null
);

create table amazon.review (
  review_id          bigint primary key,
  product_id         text not null references amazon.product (product_id),
  buyer_id           bigint not null references amazon.buyer (buyer_id),
  rating             smallint not null,
  title              text,
  body               text,
  verified_purchase  boolean not null default false,
  helpful_votes      integer not null default 0,
  total_votes        integer not null default 0,
  created_at         timestamptz not null,
  updated_at         timestamptz not null
);
create index review_product_idx on amazon.review (product_id);
create index review_buyer_idx on amazon.review (buyer_id);
create index review_updated_at_idx on amazon.review (updated_at);

create table amazon.review_image (
  image_id    bigint primary key,
  review_id   bigint not null references amazon.review (review_id),
  url         text not null,
  width       integer,
  height      integer,
  created_at  timestamptz not null
);
create index review_image_review_idx on amazon.review_image (review_id);
