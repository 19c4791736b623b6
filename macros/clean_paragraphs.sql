{{!--
  Multi-line text (review bodies) normalised while keeping its paragraphs: line endings
  become \n, runs of spaces/tabs one space, spaces around line breaks dropped, two or more
  line breaks one blank line, trimmed at both ends; blank becomes NULL.
  The regex replacements only run on text that needs them (a match test is far cheaper).
  Usage: {{> clean_paragraphs value="r.body"}}
--}}
nullif(btrim(case when {{value}} ~ '[\r\t\f\v\u00a0]|  | \n|\n |\n\n\n' then
  regexp_replace(
    regexp_replace(
      regexp_replace(translate({{value}}, E'\r\t\f' || chr(11) || chr(160), '     '), ' *\n[ \n]*\n *', E'\n\n', 'g'),
      ' *\n *', E'\n', 'g'),
    '  +', ' ', 'g')
  else {{value}} end, E' \n'), '')
