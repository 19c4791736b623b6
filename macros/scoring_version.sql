{{!--
  A fingerprint of every var the helpfulness score depends on (weights, Wilson z,
  substance, images, recency and sentiment settings). fact_reviews stores it per row; an
  incremental run that finds rows scored under another fingerprint rescores every row, so
  changing a var never leaves a mix of old and new scores behind.
  Usage: {{> scoring_version}}
--}}
md5(concat_ws('|',
  {{var "score_weight_votes"}}, {{var "score_weight_substance"}}, {{var "score_weight_verified"}},
  {{var "score_weight_images"}}, {{var "score_weight_recency"}}, {{var "score_weight_sentiment_consistency"}},
  {{var "wilson_z"}}, {{var "substance_words_scale"}}, {{var "substance_structure_share"}},
  {{var "substance_target_sentences"}}, {{var "substance_target_paragraphs"}}, {{var "images_cap"}},
  {{var "recency_half_life_days"}}, {{var "reference_date"}}, {{var "sentiment_alpha"}}, {{var "sentiment_threshold"}}))
