{{!--
  Lower bound of the Wilson score interval for a binomial proportion pos/n at z standard
  deviations (z = 1.96 is a 95% interval). 0 when there are no votes, so an unvoted review
  gets no credit from votes, and 1/1 (0.21) stays far below 90/100 (0.83).
  Usage: {{> wilson_lower_bound pos="r.helpful_votes" n="r.total_votes" z=(var "wilson_z")}}
--}}
(case when ({{n}}) > 0 then greatest(0::float8, least(1::float8,
  (
    ({{pos}})::float8 / ({{n}})
    + ({{z}})::float8 * ({{z}}) / (2.0 * ({{n}}))
    - ({{z}})::float8 * sqrt(
        (({{pos}})::float8 / ({{n}})) * (1 - ({{pos}})::float8 / ({{n}})) / ({{n}})
        + ({{z}})::float8 * ({{z}}) / (4.0 * ({{n}}) * ({{n}}))
      )
  ) / (1 + ({{z}})::float8 * ({{z}}) / ({{n}}))
)) else 0::float8 end)
