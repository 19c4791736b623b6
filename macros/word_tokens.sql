{{!--
  The whitespace-separated words of a whitespace-normalised text (silver text: single
  spaces, paragraphs split by line breaks) as a lower-case text[] in reading order.
  Punctuation stays attached ("great,"): strip it per word where it matters, e.g.
  btrim(word, '.,!?;:"()') before a lexicon lookup. A paragraph break leaves an empty
  word between the paragraphs. NULL text gives {}. Splitting on a plain space with plain
  string functions is several times faster than a regex split, which matters at millions
  of reviews.
  Usage: {{> word_tokens value="r.body"}}
--}}
coalesce(string_to_array(nullif(replace(lower({{value}}), E'\n', ' '), ''), ' '), '{}')
